rdbdadm wait-connect --help: usage, description and options.
  $ rdbdadm wait-connect --help
  usage: rdbdadm wait-connect RES|all [--timeout S]
  
  wait until the connection to the peer is up (exit 5 on timeout)
  
  wait-connect options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
    --timeout S (=0)      give up after S seconds (exit code 5); 0 waits forever
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
