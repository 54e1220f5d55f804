rdbdadm events --help: usage, description and options.
  $ rdbdadm events --help
  usage: rdbdadm events [RES|all] [--json] [--timestamps]
  
  print the current state, then one line per change (until ^C)
  
  events options:
    --resource RES|all (=all) resource name, or 'all' for every resource of this 
                              node (given without --resource)
    --timestamps              start each line with the time (UTC)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
