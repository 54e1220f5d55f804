A shared secret without its hash: both or neither, said where the file can be fixed rather than when connecting (exit 3).
  $ rdbdadm -c conf/bad-secret-without-alg.conf --node corman up web
  rdbdadm: conf/bad-secret-without-alg.conf:4:8: 'shared-secret' without 'cram-hmac-alg' (expected both or neither: the peer proves it knows the shared-secret with an HMAC of the cram-hmac-alg hash)
  [3]
