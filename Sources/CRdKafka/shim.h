#include <librdkafka/rdkafka.h>

/* rd_kafka_producev is variadic, which Swift cannot call, so this wrapper passes fixed arguments.
 * It copies the key and value (RD_KAFKA_MSG_F_COPY) and takes ownership of `headers` on success.
 * RD_KAFKA_PARTITION_UA as `partition` lets the configured partitioner choose by key. */
static inline rd_kafka_resp_err_t logcot_rd_kafka_produce(
    rd_kafka_t *producer, const char *topic, int32_t partition,
    const void *key, size_t key_size,
    const void *value, size_t value_size,
    rd_kafka_headers_t *headers, void *message_opaque)
{
    return rd_kafka_producev(
        producer,
        RD_KAFKA_V_TOPIC(topic),
        RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE((void *)value, value_size),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(message_opaque),
        RD_KAFKA_V_END);
}
