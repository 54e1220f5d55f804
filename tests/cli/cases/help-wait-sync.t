rdbdadm wait-sync --help: usage, description and options.
  $ rdbdadm wait-sync --help
  usage: rdbdadm wait-sync RES|all [--timeout S]
  
  wait until connected with both disks UpToDate; a progress bar on a terminal
  
  wait-sync options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
    --timeout S (=0)      give up after S seconds (exit code 5); 0 waits forever
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
