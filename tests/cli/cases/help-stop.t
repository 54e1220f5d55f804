rdbdadm stop --help: usage, description and options.
  $ rdbdadm stop --help
  usage: rdbdadm stop [RES|all]
  
  shutdown: take down every resource that is up
  
  stop options:
    --resource RES|all (=all) resource name, or 'all' for every resource of this 
                              node (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
