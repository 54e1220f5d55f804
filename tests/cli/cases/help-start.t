rdbdadm start --help: usage, description and options.
  $ rdbdadm start --help
  usage: rdbdadm start [RES|all]
  
  boot: adjust, wait for the peer, promote per become-primary-on
  
  start options:
    --resource RES|all (=all) resource name, or 'all' for every resource of this 
                              node (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
