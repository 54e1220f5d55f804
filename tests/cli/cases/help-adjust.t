rdbdadm adjust --help: usage, description and options.
  $ rdbdadm adjust --help
  usage: rdbdadm adjust RES|all
  
  apply what differs from the configuration (up, attach, connect, disk options, reconnect)
  
  adjust options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
