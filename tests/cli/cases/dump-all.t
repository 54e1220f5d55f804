dump: the effective configuration, common and includes resolved.
  $ rdbdadm -c conf/web.conf --node corman dump
  resource web {
      disk {
          al-extents 1237;
          resync-rate 250;
          c-plan-ahead 20;
          c-min-rate 250;
          c-max-rate 102400;
          on-io-error detach;
          fencing dont-care;
      }
      net {
          protocol C;
          connect-int 10;
          ping-int 10;
          ping-timeout 5;
          timeout 60;
          cram-hmac-alg sha256;
          shared-secret "cli test";
          after-sb-0pri disconnect;
          after-sb-1pri disconnect;
          after-sb-2pri disconnect;
      }
      startup {
          wfc-timeout 60;
          degr-wfc-timeout 30;
          become-primary-on corman;
      }
      on corman {
          device /dev/rdbd0;
          disk /dev/vdb;
          meta-disk internal;
          address 10.99.1.1:7789;
      }
      on rabius {
          device /dev/rdbd0;
          disk /dev/vdb;
          meta-disk internal;
          address 10.99.1.2:7789;
      }
  }
  
  resource logs {
      disk {
          al-extents 1237;
          resync-rate 40960;
          c-plan-ahead 20;
          c-min-rate 250;
          c-max-rate 102400;
          on-io-error detach;
          fencing dont-care;
      }
      net {
          protocol A;
          connect-int 10;
          ping-int 10;
          ping-timeout 5;
          timeout 60;
          cram-hmac-alg sha256;
          shared-secret "cli test";
          after-sb-0pri disconnect;
          after-sb-1pri disconnect;
          after-sb-2pri disconnect;
      }
      startup {
          wfc-timeout 60;
          degr-wfc-timeout 30;
      }
      on corman {
          device /dev/rdbd1;
          disk /dev/vdc;
          meta-disk internal;
          address 10.99.1.1:7790;
      }
      on rabius {
          device /dev/rdbd1;
          disk /dev/vdc;
          meta-disk internal;
          address 10.99.1.2:7790;
      }
  }
