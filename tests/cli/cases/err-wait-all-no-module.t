wait-connect all without the module (exit 4): it takes all like every command.
  $ rdbdadm -c conf/web.conf --node corman wait-connect all --timeout 1
  rdbdadm: the rdbd kernel module is not loaded (no generic netlink family "rdbd"); load it with 'modprobe rdbd' or 'insmod rdbd.ko'
  [4]
