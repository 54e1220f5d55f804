A split-brain policy DRBD has but rdbd does not implement (discard-remote with no Primary): refused when the file is read, at file:line:column, with the supported ones (exit 3).
  $ rdbdadm -c conf/bad-after-sb-0pri.conf --node corman up web
  rdbdadm: conf/bad-after-sb-0pri.conf:4:22: after-sb-0pri discard-remote: not supported by rdbd; use one of: disconnect, discard-younger-primary, discard-older-primary, discard-zero-changes, discard-least-changes
  [3]
