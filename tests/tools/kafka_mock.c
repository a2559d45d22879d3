/* kafka_mock.c - a Kafka cluster for tests and benchmarks (librdkafka's mock brokers on loopback), driven by commands on stdin. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* usage: kafka_mock TOPIC PARTITIONS [BROKERS]
 * Prints the bootstrap address (HOST:PORT,...) on a line, then runs commands read from stdin,
 * answering each with one line:
 *     produce FILE [KEYFIELD]   every line of FILE becomes a message, keyed by the value of
 *                               its JSON field KEYFIELD (so one key stays in one partition);
 *                               answers "produced N" once all are stored
 *     topic NAME PARTITIONS     creates another topic; "ok"
 *     down | up                 takes every broker down (connections cut and refused) or
 *                               back up; "ok"
 *     quit                      (or the end of stdin) stops */

static rd_kafka_t *producer;
static int brokers;

/* The text of JSON field name's value in line (a string without its quotes, else up to the
 * next ',' or '}'), or NULL. */
static const char *key_of(const char *line, const char *name, size_t *len)
{
    char pat[256];
    snprintf(pat, sizeof pat, "\"%.200s\":", name);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p == '"') {
        const char *e = strchr(p + 1, '"');
        *len = e ? (size_t)(e - p - 1) : 0;
        return p + 1;
    }
    *len = strcspn(p, ",}");
    return p;
}

static long produce(const char *path, const char *keyfield)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long count = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        size_t klen = 0;
        const char *key = keyfield ? key_of(line, keyfield, &klen) : NULL;
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(getenv("KAFKA_MOCK_TOPIC")),
                                      RD_KAFKA_V_VALUE(line, (size_t)n), RD_KAFKA_V_KEY(key, key ? klen : 0),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(producer, 10);
        if (e)
            break;
        count++;
        rd_kafka_poll(producer, 0);
    }
    free(line);
    fclose(f);
    return rd_kafka_flush(producer, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR ? count : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kafka_mock TOPIC PARTITIONS [BROKERS]\n");
        return 2;
    }
    brokers = argc > 3 ? atoi(argv[3]) : 1;
    setenv("KAFKA_MOCK_TOPIC", argv[1], 1);
    char err[512];
    rd_kafka_conf_t *hconf = rd_kafka_conf_new();
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hconf, err, sizeof err);
    if (!host) {
        fprintf(stderr, "kafka_mock: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, brokers);
    if (!mc || rd_kafka_mock_topic_create(mc, argv[1], atoi(argv[2]), 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka_mock: cannot start the mock cluster\n");
        return 1;
    }
    const char *boot = rd_kafka_mock_cluster_bootstraps(mc);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", boot, err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer) {
        fprintf(stderr, "kafka_mock: %s\n", err);
        return 1;
    }
    printf("%s\n", boot);
    fflush(stdout);
    char cmd[4096];
    while (fgets(cmd, sizeof cmd, stdin)) {
        char a[2048] = "", b[1024] = "";
        int n = sscanf(cmd, "%*s %2047s %1023s", a, b);
        if (strncmp(cmd, "produce ", 8) == 0 && n >= 1) {
            printf("produced %ld\n", produce(a, n >= 2 ? b : NULL));
        } else if (strncmp(cmd, "topic ", 6) == 0 && n == 2) {
            printf("%s\n", rd_kafka_mock_topic_create(mc, a, atoi(b), 1) ? "error" : "ok");
        } else if (strncmp(cmd, "down", 4) == 0 || strncmp(cmd, "up", 2) == 0) {
            for (int id = 1; id <= brokers; id++)
                cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id);
            printf("ok\n");
        } else if (strncmp(cmd, "quit", 4) == 0) {
            break;
        } else {
            printf("error: unknown command\n");
        }
        fflush(stdout);
    }
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    return 0;
}
