/* rt_source.h - where a source's events come from: files, Kafka topics and Redis streams behind one table of functions. */
#ifndef FEATRT_SOURCE_H
#define FEATRT_SOURCE_H

#include "rt_reject.h"
#include "rt_schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every kind of source (a file, a Kafka topic, a Redis stream) is read through the same
 * functions: open, next batch of decoded records with their arrival time, part and origin,
 * position as text, seek to a position, status, close. Replay and the server feed what
 * they yield to the engine the same way, so every kind obeys one set of arrival rules.
 *
 * Positions. A position is a short text (at most RT_SOURCE_POS_MAX bytes, printable ASCII)
 * naming how far a source has been read: every message up to it has been returned by next,
 * invalid ones included. The caller that applies a batch saves the position taken right
 * after that batch together with the state the batch built; giving that text back as
 * `resume` at open (or to seek) continues with the first message after it, so nothing is
 * applied twice and nothing is skipped. A missing position (NULL) means no saved position:
 * the source starts where its URL says (the beginning of the stream, or its end with
 * start=latest). The text is only read by the kind that wrote it:
 *     file    "line N"         N physical lines consumed
 *     kafka   "P:O,P:O,..."    per partition P, the offset O of the next message to read
 *                              (every message below it was read)
 *     redis   "MS-SEQ"         the id of the last entry read ("0-0": none yet)
 *
 * Parts. A source whose stream is split into independently ordered partitions (Kafka)
 * reports how many (parts > 0) and tags each record with its partition: the engine decides
 * each part by its own arrival rules. A file or a Redis stream has one order: parts 0,
 * every record tagged -1 (the source's own rules). */

#define RT_SOURCE_POS_MAX 4096

typedef struct rt_source rt_source;

/* What open needs. Everything is borrowed and must outlive the source. */
typedef struct rt_source_args {
    const char *url;         /* a file path, kafka://... or redis://... */
    const rt_schema *schema; /* the source's record layout (its name is used in messages) */
    int stamp_field;         /* the arrival field, stamped with each message's arrival time (-1: none;
                                files keep the field's own values) */
    rt_reject_log *log;      /* invalid messages are logged and counted here (NULL: counted only) */
    const char *resume;      /* a saved position to continue after; NULL: none */
    bool finite;             /* read what exists at open, then end (replay); else follow forever */
} rt_source_args;

/* One batch of decoded, checked records. The caller sets it up with rt_source_batch_init;
 * next fills n records. Strings in the records stay valid until the next call of next. */
typedef struct rt_source_batch {
    int cap, n;
    int nfields;
    rt_slot *records;     /* cap * nfields slots */
    int64_t *arrival_us;  /* per record; RT_ARRIVAL_UNKNOWN (INT64_MIN) when not known */
    int32_t *part;        /* per record: its partition, or -1 */
    uint64_t (*where)[2]; /* per record: its place in the stream (line; offset; entry id), for messages */
} rt_source_batch;

/* Allocates room for cap records of nfields slots. False when out of memory. */
bool rt_source_batch_init(rt_source_batch *b, int nfields, int cap);
void rt_source_batch_free(rt_source_batch *b);

/* Health, as /healthz and /metrics show it. */
typedef struct rt_source_status {
    bool connected;    /* the broker or server answers (a file: always) */
    int64_t lag;       /* messages after the position that exist now; -1 when not known */
    uint64_t invalid;  /* messages refused as invalid so far */
    char error[256];   /* the last problem (cleared when it is over), or empty */
} rt_source_status;

/* What next returns. */
enum { RT_SOURCE_END = 0, RT_SOURCE_MORE = 1, RT_SOURCE_FAILED = -1 };

/* The table each kind fills. */
typedef struct rt_source_ops {
    const char *kind; /* "file", "kafka", "redis" */
    /* Parses the URL and prepares to read; a stream kind connects lazily (in next), so a
     * broker that is down at open is not an error. NULL with a message in err for a bad URL or
     * position, an unreadable file, or (finite) an unreachable stream. */
    rt_source *(*open)(const rt_source_args *a, char *err, size_t errlen);
    /* Fills b with the next records, waiting at most timeout_ms for the first (< 0: as long as
     * it takes). RT_SOURCE_MORE with b->n >= 0 (0: nothing came in time, or only invalid
     * messages), RT_SOURCE_END once a finite source has returned all it had at open, or
     * RT_SOURCE_FAILED with a message (a finite source that cannot go on; a following source
     * reconnects instead and says so in its status). */
    int (*next)(rt_source *s, rt_source_batch *b, int timeout_ms, char *err, size_t errlen);
    /* The number of partitions (0: one order). Grows when a stream learns of more. */
    int (*parts)(const rt_source *s);
    /* The position after every record next has returned so far (see above). */
    void (*position)(const rt_source *s, char *buf, size_t cap);
    /* Continues after position pos (as open's resume does). False with a message. */
    bool (*seek)(rt_source *s, const char *pos, char *err, size_t errlen);
    /* Tells the source that the caller has applied everything next returned so far (Kafka
     * then stores those offsets for its consumer group). */
    void (*applied)(rt_source *s);
    void (*status)(rt_source *s, rt_source_status *st);
    /* Where record i of batch b came from, for the reject log: returns the "file" part
     * (written to buf when it must be made) and sets *line (0: none). */
    const char *(*where)(const rt_source *s, const rt_source_batch *b, int i, char *buf, size_t cap, uint64_t *line);
    void (*close)(rt_source *s);
} rt_source_ops;

/* Every source starts with this header. */
struct rt_source {
    const rt_source_ops *ops;
};

extern const rt_source_ops rt_source_file_ops, rt_source_kafka_ops, rt_source_redis_ops;

/* The kind a URL names: kafka:// and redis:// are streams, anything else a file path. */
const rt_source_ops *rt_source_ops_for(const char *url);

/* Whether url names a stream (kafka:// or redis://) rather than a file. */
bool rt_source_is_stream(const char *url);

/* Opens the source args->url names (rt_source_ops_for). */
rt_source *rt_source_open(const rt_source_args *args, char *err, size_t errlen);

static inline int rt_source_next(rt_source *s, rt_source_batch *b, int timeout_ms, char *err, size_t errlen)
{
    return s->ops->next(s, b, timeout_ms, err, errlen);
}

static inline void rt_source_close(rt_source *s)
{
    if (s)
        s->ops->close(s);
}

/* Reconnect delays of the stream kinds: 100 ms, doubling, at most 5 s. */
#define RT_SOURCE_BACKOFF_MIN_MS 100
#define RT_SOURCE_BACKOFF_MAX_MS 5000

#endif
