The configuration file is missing (exit 3).
  $ rdbdadm -c conf/missing.conf --node corman up web
  rdbdadm: cannot read configuration file conf/missing.conf: No such file or directory
  [3]
