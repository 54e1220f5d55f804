A misspelt keyword (exit 3).
  $ rdbdadm -c conf/bad-keyword.conf dump
  rdbdadm: conf/bad-keyword.conf:4:8: unknown keyword 'protocoll' in 'net' of resource web (expected one of: protocol, connect-int, ping-int, ping-timeout, timeout, cram-hmac-alg, shared-secret, after-sb-0pri, after-sb-1pri, after-sb-2pri, verify-alg)
  [3]
