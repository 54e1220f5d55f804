A split-brain policy on connect's command line that rdbd does not implement: a usage error naming the option, with the policies that work (exit 2).
  $ rdbdadm -c conf/web.conf --node corman -d connect --after-sb-2pri violently-as0p web
  rdbdadm: --after-sb-2pri violently-as0p: not supported by rdbd; use one of: disconnect
  [2]
