A split-brain policy DRBD has but rdbd does not implement (call-pri-lost-after-sb with two Primaries): refused when the file is read, at file:line:column, with the supported ones (exit 3).
  $ rdbdadm -c conf/bad-after-sb-2pri.conf --node corman up web
  rdbdadm: conf/bad-after-sb-2pri.conf:4:22: after-sb-2pri call-pri-lost-after-sb: not supported by rdbd; use one of: disconnect
  [3]
