create-md -d names the disk and does not touch it.
  $ rdbdadm -c conf/web.conf --node corman create-md -d all
  create-md 0 /dev/vdb
  create-md 1 /dev/vdc
  $ rdbdadm -c conf/web.conf --node corman create-md -d --force web
  create-md 0 /dev/vdb --force
