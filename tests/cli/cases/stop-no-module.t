stop without the module: nothing is up, nothing to do, success.
  $ rdbdadm -c conf/web.conf --node corman stop all
  rdbdadm: the rdbd kernel module is not loaded (no generic netlink family "rdbd"); load it with 'modprobe rdbd' or 'insmod rdbd.ko'; nothing is up, so nothing to stop
