rdbdadm disconnect --help: usage, description and options.
  $ rdbdadm disconnect --help
  usage: rdbdadm disconnect RES|all
  
  drop the connection to the peer (StandAlone)
  
  disconnect options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
