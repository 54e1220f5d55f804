A key given twice in a section (exit 3).
  $ rdbdadm -c conf/bad-duplicate.conf dump
  rdbdadm: conf/bad-duplicate.conf:4:28: duplicate 'wfc-timeout' in 'startup' of resource web (first given at line 4)
  [3]
