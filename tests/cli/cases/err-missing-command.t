No command at all (exit 2).
  $ rdbdadm -c conf/web.conf
  rdbdadm: missing command; see 'rdbdadm --help'
  [2]
