status without the rdbd module (exit 4).
  $ rdbdadm -c conf/web.conf --node corman status
  rdbdadm: the rdbd kernel module is not loaded (no generic netlink family "rdbd"); load it with 'modprobe rdbd' or 'insmod rdbd.ko'
  [4]
