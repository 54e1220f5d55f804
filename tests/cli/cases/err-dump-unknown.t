dump of a resource the file lacks (exit 3).
  $ rdbdadm -c conf/web.conf dump www
  rdbdadm: no resource www in conf/web.conf (resources: web, logs)
  [3]
