rdbd-heartbeat lists its commands (the man page test reads this list).
  $ rdbd-heartbeat --help | sed -n 1,13p
  usage: rdbd-heartbeat [options] [command] [--json]
  
  Commands:
    run             run the daemon (the default without a command)
    check-config    read ha.cf, authkeys and haresources; report
    status          ask the daemon for its state ([--json])
    standby         hand this node's resources to the peer (hb_standby)
    takeover        take the peer's resources (hb_takeover)
    fence-peer      rdbd's fence-peer handler: have the peer outdate RES (dopd)
    cleanup         forget fail counts and bans ([GROUP], default all)
    events          print state changes as they happen ([--json])
    maintenance     on|off: nothing is started, stopped or moved
  
