/* test_redis_util.h - a redis-server of the test's own on a free loopback port, and commands sent to it. */
#ifndef TEST_REDIS_UTIL_H
#define TEST_REDIS_UTIL_H

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int port; /* of the test's redis-server */
static pid_t server;

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static inline redisContext *connect_wait(double seconds)
{
    double t0 = now_s();
    for (;;) {
        redisContext *c = redisConnect("127.0.0.1", port);
        if (c && !c->err)
            return c;
        if (c)
            redisFree(c);
        if (now_s() - t0 > seconds)
            return NULL;
        usleep(20000);
    }
}

/* Starts redis-server on port, without persistence, and waits until it answers. */
static inline void start_server(void)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    server = fork();
    if (server == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execlp("redis-server", "redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               (char *)NULL);
        _exit(127);
    }
    redisContext *c = connect_wait(10);
    assert_non_null(c);
    redisFree(c);
}

static inline void stop_server(void)
{
    if (server > 0) {
        kill(server, SIGKILL);
        waitpid(server, NULL, 0);
        server = 0;
    }
}

static inline void cmd(const char *fmt, ...)
{
    redisContext *c = connect_wait(5);
    assert_non_null(c);
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    assert_non_null(r);
    assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    redisFree(c);
}

#endif
