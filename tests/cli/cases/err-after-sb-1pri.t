A split-brain policy DRBD has but rdbd does not implement (violently-as0p with one Primary): refused when the file is read, at file:line:column, with the supported ones (exit 3).
  $ rdbdadm -c conf/bad-after-sb-1pri.conf --node corman up web
  rdbdadm: conf/bad-after-sb-1pri.conf:4:22: after-sb-1pri violently-as0p: not supported by rdbd; use one of: disconnect, consensus, discard-secondary
  [3]
