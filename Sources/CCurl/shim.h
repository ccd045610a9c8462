#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call, so these wrappers pass
 * one argument of a fixed type. Each returns the CURLcode of the wrapped call. */

static inline CURLcode logcot_curl_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURLcode logcot_curl_setopt_long(CURL *handle, CURLoption option, long value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode logcot_curl_setopt_pointer(CURL *handle, CURLoption option, void *value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode logcot_curl_setopt_string(CURL *handle, CURLoption option, const char *value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode logcot_curl_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback callback)
{
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode logcot_curl_getinfo_long(CURL *handle, CURLINFO info, long *value)
{
    return curl_easy_getinfo(handle, info, value);
}
