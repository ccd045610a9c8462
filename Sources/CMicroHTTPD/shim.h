#ifndef LOGCOT_CMICROHTTPD_SHIM_H
#define LOGCOT_CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

// Swift cannot call C variadic functions, so these wrappers pass the options that
// MHD_start_daemon and MHD_get_daemon_info take as variadic arguments. The logger comes
// first because libmicrohttpd reports problems with later options through it.

/// Starts a daemon with its own polling thread, listening on `address` (a sockaddr_in or
/// sockaddr_in6 whose family matches MHD_USE_IPv6 in `flags`). libmicrohttpd binds to
/// `address` and uses `port`, which must equal its port, only in messages. Returns NULL
/// when the daemon cannot start; `log` then receives the reason.
static inline struct MHD_Daemon *logcot_mhd_start(
    unsigned int flags,
    const struct sockaddr *address,
    uint16_t port,
    MHD_AccessHandlerCallback handler,
    void *handler_context,
    MHD_LogCallback log,
    void *log_context,
    unsigned int connection_limit,
    unsigned int connection_timeout_seconds)
{
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_EXTERNAL_LOGGER, log, log_context,
        MHD_OPTION_SOCK_ADDR, address,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
        MHD_OPTION_END);
}

/// Returns the port the daemon listens on, which differs from the requested one when that was 0.
static inline uint16_t logcot_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

#endif
