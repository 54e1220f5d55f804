#include "hb_uplink_net.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "fd.h"

namespace rdbd::hb {

namespace {

// libnl's objects, freed on every path.
struct SockFree { void operator()(nl_sock *s) const { nl_socket_free(s); } };
struct AddrFree { void operator()(nl_addr *a) const { nl_addr_put(a); } };
struct RtAddrFree { void operator()(rtnl_addr *a) const { rtnl_addr_put(a); } };
struct RouteFree { void operator()(rtnl_route *r) const { rtnl_route_put(r); } };
using NlSock = std::unique_ptr<nl_sock, SockFree>;
using NlAddr = std::unique_ptr<nl_addr, AddrFree>;
using RtAddr = std::unique_ptr<rtnl_addr, RtAddrFree>;
using Route = std::unique_ptr<rtnl_route, RouteFree>;

NlSock route_socket(std::string &error)
{
	NlSock s(nl_socket_alloc());
	if (!s) {
		error = "out of memory";
		return nullptr;
	}
	const int err = nl_connect(s.get(), NETLINK_ROUTE);
	if (err < 0) {
		error = std::string("rtnetlink: ") + nl_geterror(err);
		return nullptr;
	}
	return s;
}

// The interface's index and a connected socket; "" or what failed.
std::string prepare(const std::string &dev, unsigned &index, NlSock &sock)
{
	index = if_nametoindex(dev.c_str());
	if (!index)
		return "no interface " + dev;
	std::string error;
	sock = route_socket(error);
	return error;
}

NlAddr parse_addr(const std::string &text)
{
	nl_addr *a = nullptr;
	if (nl_addr_parse(text.c_str(), AF_INET, &a) < 0)
		return nullptr;
	return NlAddr(a);
}

std::string change_address(const std::string &dev, const std::string &ip,
			   unsigned prefix, bool add)
{
	unsigned index = 0;
	NlSock sock;
	if (std::string error = prepare(dev, index, sock); !error.empty())
		return error;
	RtAddr a(rtnl_addr_alloc());
	NlAddr local = parse_addr(ip + "/" + std::to_string(prefix));
	if (!a || !local)
		return "bad address " + ip;
	rtnl_addr_set_ifindex(a.get(), static_cast<int>(index));
	rtnl_addr_set_local(a.get(), local.get());
	rtnl_addr_set_prefixlen(a.get(), static_cast<int>(prefix));
	if (prefix < 31) { // as `ip addr add ... brd +`
		in_addr b{};
		inet_pton(AF_INET, ip.c_str(), &b);
		b.s_addr |= htonl(0xffffffffu >> prefix);
		char text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &b, text, sizeof(text));
		NlAddr brd = parse_addr(text);
		if (brd)
			rtnl_addr_set_broadcast(a.get(), brd.get());
	}
	const int err = add ? rtnl_addr_add(sock.get(), a.get(), 0)
			    : rtnl_addr_delete(sock.get(), a.get(), 0);
	if (err == 0 || (add && err == -NLE_EXIST) ||
	    (!add && (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND)))
		return "";
	return std::string(add ? "adding " : "deleting ") + ip + "/" +
	       std::to_string(prefix) + " on " + dev + ": " + nl_geterror(err);
}

} // namespace

std::string add_address(const std::string &dev, const std::string &ip,
			unsigned prefix)
{
	return change_address(dev, ip, prefix, true);
}

std::string delete_address(const std::string &dev, const std::string &ip,
			   unsigned prefix)
{
	return change_address(dev, ip, prefix, false);
}

std::string replace_default_route(const std::string &dev,
				  const std::string &gateway, unsigned metric)
{
	unsigned index = 0;
	NlSock sock;
	if (std::string error = prepare(dev, index, sock); !error.empty())
		return error;
	Route r(rtnl_route_alloc());
	NlAddr dst = parse_addr("0.0.0.0/0");
	NlAddr gw = parse_addr(gateway);
	rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!r || !dst || !gw || !nh) {
		if (nh)
			rtnl_route_nh_free(nh);
		return "cannot build the route to " + gateway;
	}
	rtnl_route_set_family(r.get(), AF_INET);
	rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
	rtnl_route_set_protocol(r.get(), RTPROT_STATIC);
	rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(r.get(), RTN_UNICAST);
	rtnl_route_set_dst(r.get(), dst.get());
	rtnl_route_set_priority(r.get(), metric);
	rtnl_route_nh_set_ifindex(nh, static_cast<int>(index));
	rtnl_route_nh_set_gateway(nh, gw.get());
	rtnl_route_add_nexthop(r.get(), nh); // the route owns it now
	const int err = rtnl_route_add(sock.get(), r.get(),
				       NLM_F_REPLACE | NLM_F_CREATE);
	if (err < 0)
		return "default via " + gateway + " dev " + dev + " metric " +
		       std::to_string(metric) + ": " + nl_geterror(err);
	return "";
}

std::string send_gratuitous_arp(const std::string &dev, const std::string &ip)
{
	const unsigned index = if_nametoindex(dev.c_str());
	if (!index)
		return "no interface " + dev;
	UniqueFd s(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP)));
	if (!s)
		return std::string("packet socket: ") + strerror(errno);
	ifreq ifr{};
	strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
	if (ioctl(s.get(), SIOCGIFHWADDR, &ifr) != 0)
		return "hardware address of " + dev + ": " + strerror(errno);
	uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1}; // Ethernet, IPv4, request
	in_addr a{};
	inet_pton(AF_INET, ip.c_str(), &a);
	memcpy(arp + 8, ifr.ifr_hwaddr.sa_data, 6); // sender MAC
	memcpy(arp + 14, &a, 4);		     // sender IP
	memcpy(arp + 24, &a, 4);		     // target IP: itself
	sockaddr_ll to{};
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_ARP);
	to.sll_ifindex = static_cast<int>(index);
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	if (sendto(s.get(), arp, sizeof(arp), 0,
		   reinterpret_cast<sockaddr *>(&to), sizeof(to)) < 0)
		return "gratuitous ARP on " + dev + ": " + strerror(errno);
	return "";
}

} // namespace rdbd::hb
