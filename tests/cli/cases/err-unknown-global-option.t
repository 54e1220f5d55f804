A mistyped global option (exit 2).
  $ rdbdadm --dryrun up web
  rdbdadm: unrecognised option '--dryrun'; see 'rdbdadm up --help'
  [2]
