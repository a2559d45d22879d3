/* test_rt_snapfile.c - the snapshot and event-log file formats: round trips, and every damage found. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_evlog.h"
#include "rt_snapshot.h"
#include "test_rt_engine_util.h"

#include <fcntl.h>
#include <sys/stat.h>

/* A small snapshot of three sections, read back whole. */
static unsigned char *small_snapshot(const char *dir, size_t *size)
{
    rt_sbuf b[3];
    rt_sbuf *ptrs[3] = {&b[0], &b[1], &b[2]};
    rt_snap_kind kinds[3] = {RT_SNAP_META, RT_SNAP_SOURCE, RT_SNAP_VIEW};
    for (int i = 0; i < 3; i++) {
        rt_sbuf_init(&b[i]);
        for (int k = 0; k <= i * 40; k++)
            rt_sbuf_u32(&b[i], (uint32_t)(k * 2654435761u));
    }
    size_t bytes;
    char err[512];
    assert_true(rt_snapshot_write(dir, 7, 1234, kinds, ptrs, 3, &bytes, err, sizeof err));
    for (int i = 0; i < 3; i++)
        rt_sbuf_free(&b[i]);
    char *path = test_path(dir, "snapshot-7");
    rt_snapshot s;
    assert_true(rt_snapshot_read(path, &s, err, sizeof err));
    assert_int_equal(s.generation, 7);
    assert_int_equal(s.written_us, 1234);
    assert_int_equal(s.nsections, 3);
    assert_int_equal(s.size, bytes);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.sections[i].kind, kinds[i]);
        assert_int_equal(s.sections[i].len, (size_t)(i * 40 + 1) * 4);
        uint32_t v;
        memcpy(&v, s.sections[i].payload + 4, 4);
        assert_int_equal(v, 2654435761u);
    }
    unsigned char *copy = malloc(s.size);
    memcpy(copy, s.bytes, s.size);
    *size = s.size;
    rt_snapshot_free(&s);
    assert_false(test_exists(dir, "snapshot-7.tmp"));
    free(path);
    return copy;
}

/* Every byte changed, every length cut short, and bytes added: all refused, each with a
 * message, none read outside the bytes (the sanitizers watch). */
static void test_snapshot_damage(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    size_t n;
    unsigned char *good = small_snapshot(dir, &n);
    char err[512];
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            unsigned char *bad = malloc(n);
            memcpy(bad, good, n);
            bad[i] ^= (unsigned char)(1u << bit);
            rt_snapshot s;
            err[0] = '\0';
            if (rt_snapshot_parse(bad, n, "x", &s, err, sizeof err))
                fail_msg("byte %zu bit %d changed and not refused", i, bit);
            assert_true(strlen(err) > 5);
        }
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *bad = malloc(cut + 1);
        memcpy(bad, good, cut);
        rt_snapshot s;
        if (rt_snapshot_parse(bad, cut, "x", &s, err, sizeof err))
            fail_msg("cut to %zu bytes and not refused", cut);
    }
    unsigned char *longer = malloc(n + 3);
    memcpy(longer, good, n);
    memcpy(longer + n, "abc", 3);
    rt_snapshot s;
    assert_false(rt_snapshot_parse(longer, n + 3, "x", &s, err, sizeof err));
    unsigned char *same = malloc(n);
    memcpy(same, good, n);
    assert_true(rt_snapshot_parse(same, n, "x", &s, err, sizeof err));
    rt_snapshot_free(&s);
    free(good);
    test_rmdir(dir);
}

/* Records appended read back in order, bodies followed by a NUL byte; every prefix of the
 * file reads as the whole records it holds and then a torn one; a changed byte ends the
 * log at its record. */
static void test_evlog(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *path = test_path(dir, "log-1");
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
    uint64_t size = 0;
    bool broken = false;
    const char *bodies[3] = {"{\"a\":1}\n", "", "{\"a\":2}\n{\"a\":3}"};
    size_t ends[3];
    for (int i = 0; i < 3; i++) {
        rt_evlog_rec r = {"src", 3, 1000 + i, i % 2, bodies[i], strlen(bodies[i])};
        assert_true(rt_evlog_append(fd, &size, &r, &broken));
        ends[i] = (size_t)size;
    }
    close(fd);
    assert_false(broken);
    char *bytes = malloc(size);
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, bytes, size), (ssize_t)size);
    close(fd);
    for (size_t cut = 0; cut <= size; cut++) {
        assert_int_equal(truncate(path, 0), 0);
        fd = open(path, O_WRONLY);
        assert_int_equal(write(fd, bytes, cut), (ssize_t)cut);
        close(fd);
        rt_evlog_reader rd;
        assert_true(rt_evlog_open(&rd, path));
        rt_evlog_rec r;
        int whole = 0, got;
        while ((got = rt_evlog_next(&rd, &r)) == 1) {
            assert_int_equal(r.arrival_us, 1000 + whole);
            assert_int_equal(r.len, strlen(bodies[whole]));
            assert_memory_equal(r.body, bodies[whole], r.len);
            assert_int_equal(r.body[r.len], '\0');
            assert_int_equal(r.format, whole % 2);
            whole++;
        }
        int want = (cut >= ends[2]) + (cut >= ends[1]) + (cut >= ends[0]);
        assert_int_equal(whole, want);
        assert_int_equal(got, cut == (want ? ends[want - 1] : 0) ? 0 : -1);
        assert_int_equal(rd.off, want ? ends[want - 1] : 0);
        rt_evlog_close(&rd);
    }
    for (size_t i = 0; i < size; i++) {
        bytes[i] ^= 0x10;
        fd = open(path, O_WRONLY | O_TRUNC);
        assert_int_equal(write(fd, bytes, size), (ssize_t)size);
        close(fd);
        bytes[i] ^= 0x10;
        rt_evlog_reader rd;
        assert_true(rt_evlog_open(&rd, path));
        rt_evlog_rec r;
        int whole = 0, got;
        while ((got = rt_evlog_next(&rd, &r)) == 1)
            whole++;
        assert_int_equal(got, -1);
        assert_true(rd.off <= i);
        rt_evlog_close(&rd);
    }
    free(bytes);
    free(path);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_damage),
        cmocka_unit_test(test_evlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
