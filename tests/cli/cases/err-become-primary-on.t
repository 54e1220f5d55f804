become-primary-on with a misspelt host: the hosts it may name (exit 3).
  $ rdbdadm -c conf/bad-become-primary-on.conf --node corman up web
  rdbdadm: conf/bad-become-primary-on.conf:4:12: 'become-primary-on corrman' names no host of resource web (expected one of: corman, rabius, both)
  [3]
