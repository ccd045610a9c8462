/*
 * mock_cluster: hosts librdkafka's built-in mock Kafka cluster
 * (rdkafka_mock.h) in its own process, so that tests can connect real Kafka
 * clients to it over TCP on 127.0.0.1 and inject broker outages through
 * commands on stdin.
 *
 * Usage and the stdin command protocol are described in print_usage() and
 * README.md.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <fcntl.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define PROGRAM_NAME "mock_cluster"

/* Exit codes: 0 after a clean shutdown, 1 when a runtime step fails and
 * 2 for an invalid command line. */
#define EXIT_RUNTIME_ERROR 1
#define EXIT_USAGE_ERROR 2

/* Upper bounds that this tool sets to catch typos such as "--brokers 30000".
 * The mock cluster itself has no such limits. */
#define MAX_BROKERS 100
#define MAX_PARTITIONS 10000
#define MAX_RTT_MS 3600000

/* Kafka's own limit for topic names. */
#define MAX_TOPIC_NAME_LENGTH 249

/* Maximum length of one stdin command line, newline included. */
#define MAX_COMMAND_LENGTH 1024

/* The only address that the librdkafka mock cluster binds its brokers to. */
#define LISTEN_ADDRESS "127.0.0.1"

struct topic_spec {
        char name[MAX_TOPIC_NAME_LENGTH + 1];
        int partition_count;
};

struct options {
        int broker_count;
        struct topic_spec *topics;
        int topic_count;
        const char *port_file;
};

struct mock_state {
        rd_kafka_t *handle;
        rd_kafka_mock_cluster_t *cluster;
        int broker_count;
        int stop_requested;
};


static void log_message(const char *format, ...) {
        va_list args;

        /* librdkafka threads also log through here, so each line is written
         * under the stream lock to keep lines whole. */
        flockfile(stderr);
        fprintf(stderr, "%s: ", PROGRAM_NAME);
        va_start(args, format);
        vfprintf(stderr, format, args);
        va_end(args);
        fputc('\n', stderr);
        funlockfile(stderr);
}

/* Forwards librdkafka log lines to stderr. The handle that hosts the mock
 * cluster has no bootstrap.servers by design, so librdkafka's configuration
 * warning about that is dropped. */
static void log_librdkafka_message(const rd_kafka_t *handle,
                                   int level,
                                   const char *facility,
                                   const char *message) {
        (void)handle;

        if (strcmp(facility, "CONFWARN") == 0 &&
            strstr(message, "bootstrap.servers") != NULL)
                return;

        log_message("librdkafka log level %d %s: %s", level, facility,
                    message);
}

static void print_usage(FILE *stream) {
        fprintf(
            stream,
            "Usage: %s [--brokers N] [--topic NAME:PARTITIONS]... "
            "[--port-file PATH] [--listen 127.0.0.1]\n"
            "\n"
            "Starts a librdkafka mock Kafka cluster on 127.0.0.1, prints "
            "BOOTSTRAP=host:port,... on stdout\n"
            "once the brokers accept connections, and runs until SIGTERM, "
            "SIGINT or the quit command.\n"
            "\n"
            "Options:\n"
            "  --brokers N              number of brokers, with ids 1..N "
            "(default 1, maximum %d)\n"
            "  --topic NAME:PARTITIONS  create topic NAME with PARTITIONS "
            "partitions (1..%d); repeatable\n"
            "  --port-file PATH         write the bootstrap server list to "
            "PATH (through a temporary file\n"
            "                           and rename) once ready; PATH is "
            "removed on shutdown\n"
            "  --listen 127.0.0.1       listen address; the mock cluster "
            "supports only 127.0.0.1\n"
            "  --help                   print this help and exit\n"
            "\n"
            "Commands on stdin, one per line, each answered on stdout with "
            "\"OK ...\" or \"ERR reason\":\n"
            "  down BROKER_ID           close the broker's connections and "
            "reject new ones\n"
            "  up BROKER_ID             accept connections on the broker "
            "again\n"
            "  down-all, up-all         the same for every broker\n"
            "  topic NAME PARTITIONS    create a topic\n"
            "  rtt BROKER_ID MS         delay the broker's responses by MS "
            "milliseconds (0 disables)\n"
            "  rtt-all MS               the same for every broker\n"
            "  quit                     shut down and exit with status 0\n",
            PROGRAM_NAME, MAX_BROKERS, MAX_PARTITIONS);
}

/* Parses \p text as a whole decimal integer in [min, max]. Returns 0 on
 * success and -1 when the text is empty, has trailing characters or is out of
 * range. */
static int parse_int_in_range(const char *text, long min, long max, int *out) {
        char *end;
        long value;

        if (text == NULL || *text == '\0')
                return -1;

        errno = 0;
        value = strtol(text, &end, 10);
        if (errno != 0 || *end != '\0' || value < min || value > max)
                return -1;

        *out = (int)value;
        return 0;
}

/* Checks a topic name against Kafka's rules: 1..249 characters from
 * [a-zA-Z0-9._-], and not "." or "..". */
static int is_valid_topic_name(const char *name) {
        size_t length = strlen(name);
        size_t i;

        if (length == 0 || length > MAX_TOPIC_NAME_LENGTH)
                return 0;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return 0;

        for (i = 0; i < length; i++) {
                char c = name[i];
                int allowed = (c >= 'a' && c <= 'z') ||
                              (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '.' ||
                              c == '_' || c == '-';
                if (!allowed)
                        return 0;
        }

        return 1;
}


/*
 * Command line
 */

/* Parses a "NAME:PARTITIONS" --topic value. Prints the error and returns -1
 * when the value is invalid. */
static int parse_topic_option(const char *value, struct topic_spec *topic) {
        const char *colon = strrchr(value, ':');
        size_t name_length;

        if (colon == NULL) {
                log_message("invalid --topic value \"%s\": missing "
                            "\":PARTITIONS\"; use for example --topic "
                            "logs:3",
                            value);
                return -1;
        }

        name_length = (size_t)(colon - value);
        if (name_length == 0 || name_length > MAX_TOPIC_NAME_LENGTH) {
                log_message("invalid --topic value \"%s\": the topic name "
                            "must have 1 to %d characters",
                            value, MAX_TOPIC_NAME_LENGTH);
                return -1;
        }

        memcpy(topic->name, value, name_length);
        topic->name[name_length] = '\0';
        if (!is_valid_topic_name(topic->name)) {
                log_message("invalid topic name \"%s\" in --topic \"%s\": "
                            "use only letters, digits, '.', '_' and '-'",
                            topic->name, value);
                return -1;
        }

        if (parse_int_in_range(colon + 1, 1, MAX_PARTITIONS,
                               &topic->partition_count) == -1) {
                log_message("invalid partition count \"%s\" in --topic "
                            "\"%s\": expected an integer from 1 to %d",
                            colon + 1, value, MAX_PARTITIONS);
                return -1;
        }

        return 0;
}

/* Returns the value that follows option argv[*index], advancing *index, or
 * prints an error and returns NULL when it is missing. */
static const char *take_option_value(int argc, char **argv, int *index) {
        if (*index + 1 >= argc) {
                log_message("missing value for %s; run %s --help for usage",
                            argv[*index], PROGRAM_NAME);
                return NULL;
        }
        *index += 1;
        return argv[*index];
}

/* Parses the command line into \p options. Returns 0 to continue, 1 after
 * --help, and -1 after printing an error. */
static int parse_options(int argc, char **argv, struct options *options) {
        int i;

        options->broker_count = 1;
        options->topics       = calloc((size_t)argc, sizeof(*options->topics));
        options->topic_count  = 0;
        options->port_file    = NULL;

        if (options->topics == NULL) {
                log_message("out of memory while parsing options");
                return -1;
        }

        for (i = 1; i < argc; i++) {
                const char *option = argv[i];
                const char *value;

                if (strcmp(option, "--help") == 0 ||
                    strcmp(option, "-h") == 0) {
                        print_usage(stdout);
                        return 1;
                }

                if (strcmp(option, "--brokers") == 0) {
                        if ((value = take_option_value(argc, argv, &i)) ==
                            NULL)
                                return -1;
                        if (parse_int_in_range(value, 1, MAX_BROKERS,
                                               &options->broker_count) == -1) {
                                log_message("invalid --brokers value \"%s\": "
                                            "expected an integer from 1 to %d",
                                            value, MAX_BROKERS);
                                return -1;
                        }

                } else if (strcmp(option, "--topic") == 0) {
                        if ((value = take_option_value(argc, argv, &i)) ==
                            NULL)
                                return -1;
                        if (parse_topic_option(
                                value,
                                &options->topics[options->topic_count]) == -1)
                                return -1;
                        options->topic_count++;

                } else if (strcmp(option, "--port-file") == 0) {
                        if ((value = take_option_value(argc, argv, &i)) ==
                            NULL)
                                return -1;
                        if (*value == '\0') {
                                log_message("invalid --port-file value: the "
                                            "path is empty");
                                return -1;
                        }
                        options->port_file = value;

                } else if (strcmp(option, "--listen") == 0) {
                        if ((value = take_option_value(argc, argv, &i)) ==
                            NULL)
                                return -1;
                        /* librdkafka 2.0.2 binds every mock broker to
                         * 127.0.0.1 and has no setting for another address,
                         * so any other value cannot be honoured. */
                        if (strcmp(value, LISTEN_ADDRESS) != 0) {
                                log_message(
                                    "invalid --listen value \"%s\": the "
                                    "librdkafka mock cluster listens only on "
                                    "%s; pass --listen %s or omit the option",
                                    value, LISTEN_ADDRESS, LISTEN_ADDRESS);
                                return -1;
                        }

                } else {
                        log_message("unknown option \"%s\"; run %s --help "
                                    "for usage",
                                    option, PROGRAM_NAME);
                        return -1;
                }
        }

        return 0;
}


/*
 * Cluster setup
 */

/* Replication factor for created topics: one replica per broker, at most 3,
 * as on a typical production cluster. The mock cluster never moves partition
 * leaders, so this only affects the replica lists in Metadata responses. */
static int replication_factor_for(int broker_count) {
        return broker_count < 3 ? broker_count : 3;
}

/* Creates a topic. Returns 0 on success, or -1 after writing the reason to
 * \p reason. */
static int create_topic(struct mock_state *state,
                        const char *name,
                        int partition_count,
                        char *reason,
                        size_t reason_size) {
        rd_kafka_resp_err_t err;

        err = rd_kafka_mock_topic_create(
            state->cluster, name, partition_count,
            replication_factor_for(state->broker_count));
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                snprintf(reason, reason_size,
                         "failed to create topic \"%s\" with %d partitions: "
                         "%s",
                         name, partition_count, rd_kafka_err2str(err));
                return -1;
        }

        return 0;
}

/* Checks that the bootstrap list contains one 127.0.0.1 address per broker,
 * so that tests never receive an address on another interface. */
static int check_bootstrap_servers(const char *bootstraps, int broker_count) {
        char *copy = strdup(bootstraps);
        char *saveptr = NULL;
        char *server;
        int server_count = 0;
        int result = 0;

        if (copy == NULL) {
                log_message("out of memory while checking bootstrap servers");
                return -1;
        }

        for (server = strtok_r(copy, ",", &saveptr); server != NULL;
             server = strtok_r(NULL, ",", &saveptr)) {
                server_count++;
                if (strncmp(server, LISTEN_ADDRESS ":",
                            strlen(LISTEN_ADDRESS ":")) != 0) {
                        log_message("mock broker address \"%s\" is not on "
                                    "%s, so librdkafka %s binds differently "
                                    "from 2.0.2; update the --listen check "
                                    "in mock_cluster.c for this version",
                                    server, LISTEN_ADDRESS,
                                    rd_kafka_version_str());
                        result = -1;
                }
        }

        if (result == 0 && server_count != broker_count) {
                log_message("mock cluster reported %d bootstrap servers "
                            "(\"%s\") but %d brokers were requested",
                            server_count, bootstraps, broker_count);
                result = -1;
        }

        free(copy);
        return result;
}

/* Creates the client handle that owns the mock cluster, the cluster and its
 * topics. Returns 0 on success, or -1 after printing the error. */
static int start_cluster(struct mock_state *state,
                         const struct options *options) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        int i;

        rd_kafka_conf_set_log_cb(conf, log_librdkafka_message);

        /* The handle only hosts the mock cluster and never connects
         * anywhere, because it has no bootstrap.servers. */
        state->handle =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (state->handle == NULL) {
                log_message("failed to create the librdkafka handle: %s",
                            errstr);
                rd_kafka_conf_destroy(conf);
                return -1;
        }

        state->broker_count = options->broker_count;
        state->cluster =
            rd_kafka_mock_cluster_new(state->handle, options->broker_count);
        if (state->cluster == NULL) {
                log_message("failed to create a mock cluster with %d "
                            "brokers; see the librdkafka MOCK log lines "
                            "above for the cause",
                            options->broker_count);
                return -1;
        }

        for (i = 0; i < options->topic_count; i++) {
                const struct topic_spec *topic = &options->topics[i];

                if (create_topic(state, topic->name, topic->partition_count,
                                 errstr, sizeof(errstr)) == -1) {
                        log_message("%s; check that each --topic name is "
                                    "given only once",
                                    errstr);
                        return -1;
                }
                log_message("created topic %s with %d partitions", topic->name,
                            topic->partition_count);
        }

        return check_bootstrap_servers(
            rd_kafka_mock_cluster_bootstraps(state->cluster),
            options->broker_count);
}

/* Writes "\p bootstraps\n" to \p path through a temporary file in the same
 * directory and rename(2), so readers see either no file or the whole list.
 * Returns 0 on success, or -1 after printing the error. */
static int write_port_file(const char *path, const char *bootstraps) {
        char temp_path[PATH_MAX];
        FILE *file;
        int length;

        length = snprintf(temp_path, sizeof(temp_path), "%s.tmp.%ld", path,
                          (long)getpid());
        if (length < 0 || (size_t)length >= sizeof(temp_path)) {
                log_message("invalid --port-file value \"%s\": the path is "
                            "too long",
                            path);
                return -1;
        }

        file = fopen(temp_path, "w");
        if (file == NULL) {
                log_message("failed to create \"%s\" for --port-file: %s; "
                            "check that the directory exists and is writable",
                            temp_path, strerror(errno));
                return -1;
        }

        if (fprintf(file, "%s\n", bootstraps) < 0 || fflush(file) != 0 ||
            fsync(fileno(file)) != 0) {
                log_message("failed to write \"%s\": %s", temp_path,
                            strerror(errno));
                fclose(file);
                unlink(temp_path);
                return -1;
        }

        if (fclose(file) != 0) {
                log_message("failed to close \"%s\": %s", temp_path,
                            strerror(errno));
                unlink(temp_path);
                return -1;
        }

        if (rename(temp_path, path) != 0) {
                log_message("failed to rename \"%s\" to \"%s\": %s", temp_path,
                            path, strerror(errno));
                unlink(temp_path);
                return -1;
        }

        return 0;
}


/*
 * stdin commands
 */

/* Writes one response line to stdout and flushes it. */
static void respond(const char *format, ...) {
        va_list args;

        va_start(args, format);
        vprintf(format, args);
        va_end(args);
        putchar('\n');

        if (fflush(stdout) != 0)
                log_message("failed to write a response to stdout: %s",
                            strerror(errno));
}

/* Parses a broker id argument. Returns 0 on success, or -1 after sending an
 * ERR response. */
static int parse_broker_id(const struct mock_state *state,
                           const char *text,
                           int *broker_id) {
        if (parse_int_in_range(text, 1, state->broker_count, broker_id) ==
            -1) {
                respond("ERR invalid broker id \"%s\": expected an integer "
                        "from 1 to %d",
                        text ? text : "", state->broker_count);
                return -1;
        }
        return 0;
}

/* Parses an RTT argument in milliseconds. Returns 0 on success, or -1 after
 * sending an ERR response. */
static int parse_rtt_ms(const char *text, int *rtt_ms) {
        if (parse_int_in_range(text, 0, MAX_RTT_MS, rtt_ms) == -1) {
                respond("ERR invalid RTT \"%s\": expected milliseconds from "
                        "0 to %d",
                        text ? text : "", MAX_RTT_MS);
                return -1;
        }
        return 0;
}

/* Sends OK or ERR for a mock API call, and logs the change. broker_id -1
 * means all brokers. */
static void respond_to_broker_change(rd_kafka_resp_err_t err,
                                     const char *command_text,
                                     int broker_id) {
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                log_message("command \"%s\" failed: %s", command_text,
                            rd_kafka_err2str(err));
                respond("ERR %s failed: %s", command_text,
                        rd_kafka_err2str(err));
                return;
        }

        if (broker_id == -1)
                log_message("command \"%s\" applied to all brokers",
                            command_text);
        else
                log_message("command \"%s\" applied to broker %d",
                            command_text, broker_id);
        respond("OK %s", command_text);
}

/* Sends ERR unless the command had exactly \p expected arguments. */
static int check_argument_count(const char *command,
                                int argument_count,
                                int expected,
                                const char *usage) {
        if (argument_count != expected) {
                respond("ERR invalid arguments for %s: usage \"%s\"", command,
                        usage);
                return -1;
        }
        return 0;
}

/* Runs one stdin command line and writes its response to stdout. */
static void run_command(struct mock_state *state, char *line) {
        char *words[4];
        int word_count = 0;
        int argument_count;
        char *saveptr = NULL;
        char *word;
        char command_text[MAX_COMMAND_LENGTH + 64];
        int broker_id;
        int rtt_ms;
        int partition_count;
        char reason[512];

        for (word = strtok_r(line, " \t\r", &saveptr); word != NULL;
             word = strtok_r(NULL, " \t\r", &saveptr)) {
                if (word_count == (int)(sizeof(words) / sizeof(words[0]))) {
                        respond("ERR too many arguments; send one command "
                                "per line");
                        return;
                }
                words[word_count++] = word;
        }

        /* Blank lines are ignored so that a trailing newline from a test
         * harness does not produce a stray response. */
        if (word_count == 0)
                return;
        argument_count = word_count - 1;

        if (strcmp(words[0], "down") == 0 || strcmp(words[0], "up") == 0) {
                int down = strcmp(words[0], "down") == 0;
                rd_kafka_resp_err_t err;

                if (check_argument_count(words[0], argument_count, 1,
                                         down ? "down BROKER_ID"
                                              : "up BROKER_ID") == -1)
                        return;
                if (parse_broker_id(state, words[1], &broker_id) == -1)
                        return;

                err = down ? rd_kafka_mock_broker_set_down(state->cluster,
                                                           broker_id)
                           : rd_kafka_mock_broker_set_up(state->cluster,
                                                         broker_id);
                snprintf(command_text, sizeof(command_text), "%s %d", words[0],
                         broker_id);
                respond_to_broker_change(err, command_text, broker_id);

        } else if (strcmp(words[0], "down-all") == 0 ||
                   strcmp(words[0], "up-all") == 0) {
                int down = strcmp(words[0], "down-all") == 0;
                rd_kafka_resp_err_t err;

                if (check_argument_count(words[0], argument_count, 0,
                                         words[0]) == -1)
                        return;

                err = down ? rd_kafka_mock_broker_set_down(state->cluster, -1)
                           : rd_kafka_mock_broker_set_up(state->cluster, -1);
                respond_to_broker_change(err, words[0], -1);

        } else if (strcmp(words[0], "rtt") == 0) {
                if (check_argument_count(words[0], argument_count, 2,
                                         "rtt BROKER_ID MS") == -1)
                        return;
                if (parse_broker_id(state, words[1], &broker_id) == -1)
                        return;
                if (parse_rtt_ms(words[2], &rtt_ms) == -1)
                        return;

                snprintf(command_text, sizeof(command_text), "rtt %d %d",
                         broker_id, rtt_ms);
                respond_to_broker_change(
                    rd_kafka_mock_broker_set_rtt(state->cluster, broker_id,
                                                 rtt_ms),
                    command_text, broker_id);

        } else if (strcmp(words[0], "rtt-all") == 0) {
                if (check_argument_count(words[0], argument_count, 1,
                                         "rtt-all MS") == -1)
                        return;
                if (parse_rtt_ms(words[1], &rtt_ms) == -1)
                        return;

                snprintf(command_text, sizeof(command_text), "rtt-all %d",
                         rtt_ms);
                respond_to_broker_change(
                    rd_kafka_mock_broker_set_rtt(state->cluster, -1, rtt_ms),
                    command_text, -1);

        } else if (strcmp(words[0], "topic") == 0) {
                if (check_argument_count(words[0], argument_count, 2,
                                         "topic NAME PARTITIONS") == -1)
                        return;
                if (!is_valid_topic_name(words[1])) {
                        respond("ERR invalid topic name \"%s\": use 1 to %d "
                                "letters, digits, '.', '_' or '-'",
                                words[1], MAX_TOPIC_NAME_LENGTH);
                        return;
                }
                if (parse_int_in_range(words[2], 1, MAX_PARTITIONS,
                                       &partition_count) == -1) {
                        respond("ERR invalid partition count \"%s\": "
                                "expected an integer from 1 to %d",
                                words[2], MAX_PARTITIONS);
                        return;
                }

                if (create_topic(state, words[1], partition_count, reason,
                                 sizeof(reason)) == -1) {
                        log_message("command \"topic %s %d\" failed: %s",
                                    words[1], partition_count, reason);
                        respond("ERR %s", reason);
                        return;
                }
                log_message("created topic %s with %d partitions", words[1],
                            partition_count);
                respond("OK topic %s %d", words[1], partition_count);

        } else if (strcmp(words[0], "quit") == 0) {
                if (check_argument_count(words[0], argument_count, 0,
                                         "quit") == -1)
                        return;
                log_message("received quit command");
                respond("OK quit");
                state->stop_requested = 1;

        } else {
                respond("ERR unknown command \"%s\": expected down, up, "
                        "down-all, up-all, topic, rtt, rtt-all or quit",
                        words[0]);
        }
}

/* Line buffer for stdin, which is read with read(2) because poll(2) cannot
 * see data that stdio has already buffered. */
struct line_reader {
        char buffer[MAX_COMMAND_LENGTH];
        size_t length;
        /* Nonzero while skipping the rest of a line longer than buffer. */
        int discarding;
};

/* Reads the available stdin bytes and runs each complete line. Returns 0 while
 * stdin stays open and -1 at end of file or on a read error. */
static int read_commands(struct mock_state *state, struct line_reader *reader) {
        ssize_t count;
        char *newline;

        count = read(STDIN_FILENO, reader->buffer + reader->length,
                     sizeof(reader->buffer) - reader->length);
        if (count < 0) {
                if (errno == EINTR || errno == EAGAIN)
                        return 0;
                log_message("failed to read stdin: %s; stdin commands are "
                            "disabled",
                            strerror(errno));
                return -1;
        }
        if (count == 0)
                return -1;
        reader->length += (size_t)count;

        while ((newline = memchr(reader->buffer, '\n', reader->length)) !=
               NULL) {
                size_t line_length = (size_t)(newline - reader->buffer);

                *newline = '\0';
                if (!reader->discarding)
                        run_command(state, reader->buffer);
                reader->discarding = 0;

                reader->length -= line_length + 1;
                memmove(reader->buffer, newline + 1, reader->length);
        }

        if (reader->length == sizeof(reader->buffer)) {
                if (!reader->discarding)
                        respond("ERR command line longer than %d bytes",
                                MAX_COMMAND_LENGTH - 1);
                reader->discarding = 1;
                reader->length     = 0;
        }

        return 0;
}


/*
 * Main loop
 */

/* Runs stdin commands until SIGTERM, SIGINT or quit. Returns 0 on a clean
 * stop and -1 on a failure. */
static int run_until_stopped(struct mock_state *state, int signal_fd) {
        struct line_reader reader = {.length = 0, .discarding = 0};
        struct pollfd fds[2];
        int stdin_open = 1;

        while (!state->stop_requested) {
                nfds_t fd_count = 0;
                int ready;

                fds[fd_count].fd     = signal_fd;
                fds[fd_count].events = POLLIN;
                fd_count++;
                if (stdin_open) {
                        fds[fd_count].fd     = STDIN_FILENO;
                        fds[fd_count].events = POLLIN;
                        fd_count++;
                }

                ready = poll(fds, fd_count, -1);
                if (ready < 0) {
                        if (errno == EINTR)
                                continue;
                        log_message("poll failed: %s", strerror(errno));
                        return -1;
                }

                if (fds[0].revents & POLLIN) {
                        struct signalfd_siginfo info;

                        if (read(signal_fd, &info, sizeof(info)) ==
                            (ssize_t)sizeof(info)) {
                                log_message("received %s, shutting down",
                                            strsignal((int)info.ssi_signo));
                                state->stop_requested = 1;
                        }
                }

                if (stdin_open && fd_count > 1 &&
                    (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                        if (read_commands(state, &reader) == -1) {
                                log_message("stdin closed; stdin commands are "
                                            "disabled, running until SIGTERM "
                                            "or SIGINT");
                                stdin_open = 0;
                        }
                }
        }

        return 0;
}

/* Blocks SIGTERM and SIGINT in every thread and returns a signalfd that
 * receives them, or -1 after printing the error. Must run before
 * rd_kafka_new() so that librdkafka's threads inherit the blocked mask. */
static int open_signal_fd(void) {
        sigset_t signals;
        int signal_fd;

        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);

        if (sigprocmask(SIG_BLOCK, &signals, NULL) != 0) {
                log_message("failed to block SIGTERM and SIGINT: %s",
                            strerror(errno));
                return -1;
        }

        signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
        if (signal_fd < 0) {
                log_message("failed to create a signalfd: %s",
                            strerror(errno));
                return -1;
        }

        return signal_fd;
}

static void stop_cluster(struct mock_state *state) {
        if (state->cluster != NULL) {
                rd_kafka_mock_cluster_destroy(state->cluster);
                state->cluster = NULL;
        }
        if (state->handle != NULL) {
                rd_kafka_destroy(state->handle);
                state->handle = NULL;
        }
}

int main(int argc, char **argv) {
        struct options options;
        struct mock_state state = {NULL, NULL, 0, 0};
        const char *bootstraps;
        int signal_fd;
        int port_file_written = 0;
        int exit_code         = EXIT_RUNTIME_ERROR;
        int parse_result;

        parse_result = parse_options(argc, argv, &options);
        if (parse_result != 0) {
                free(options.topics);
                return parse_result == 1 ? 0 : EXIT_USAGE_ERROR;
        }

        /* Writes to a closed stdout must return EPIPE instead of killing the
         * process, so that shutdown still runs. */
        signal(SIGPIPE, SIG_IGN);

        signal_fd = open_signal_fd();
        if (signal_fd < 0)
                goto done;

        if (start_cluster(&state, &options) == -1)
                goto done;

        bootstraps = rd_kafka_mock_cluster_bootstraps(state.cluster);

        if (options.port_file != NULL) {
                if (write_port_file(options.port_file, bootstraps) == -1)
                        goto done;
                port_file_written = 1;
        }

        log_message("started %d mock brokers with librdkafka %s, bootstrap "
                    "servers %s",
                    options.broker_count, rd_kafka_version_str(), bootstraps);
        respond("BOOTSTRAP=%s", bootstraps);

        if (run_until_stopped(&state, signal_fd) == 0)
                exit_code = 0;

done:
        stop_cluster(&state);

        if (port_file_written && unlink(options.port_file) != 0)
                log_message("failed to remove port file \"%s\": %s",
                            options.port_file, strerror(errno));

        if (signal_fd >= 0)
                close(signal_fd);
        free(options.topics);

        log_message("stopped with exit code %d", exit_code);
        return exit_code;
}
