An include naming a file that does not exist (exit 3).
  $ rdbdadm -c conf/bad-include.conf dump
  rdbdadm: conf/bad-include.conf:1:1: cannot read configuration file conf/nowhere.res: No such file or directory
  [3]
