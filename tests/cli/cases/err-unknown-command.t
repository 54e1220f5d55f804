An unknown command suggests the nearest one (exit 2).
  $ rdbdadm primry web
  rdbdadm: unknown command 'primry' (did you mean 'primary'?); see 'rdbdadm --help'
  [2]
