/* db_postgres_signal.c - cancels the running PostgreSQL statement when featc is stopped by SIGINT, SIGTERM or SIGHUP. */
#include "db_postgres_signal.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

/* A signal handler can reach nothing but process-wide state, so this is the one global of
 * the back end: the cancel handle of the statement running now (NULL when none) and the
 * handlers that were in place before. Statements run one at a time in featc. */
static PGcancel *volatile running_cancel;
static const int guarded_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { NGUARDED = sizeof guarded_signals / sizeof guarded_signals[0] };
static struct sigaction previous[NGUARDED];

/* Asks the server to cancel the statement (PQcancel is safe in a signal handler), then
 * puts the previous handler back and raises the signal again, so the process ends (or
 * does whatever it did before) as if featc had not been in the way. */
static void on_stop_signal(int sig)
{
    PGcancel *c = running_cancel;
    if (c) {
        char buf[256];
        (void)PQcancel(c, buf, sizeof buf);
    }
    for (int i = 0; i < NGUARDED; i++)
        if (guarded_signals[i] == sig)
            sigaction(sig, &previous[i], NULL);
    raise(sig);
}

void db_pq_guard_begin(PGconn *pg, db_pq_guard *g)
{
    g->cancel = PQgetCancel(pg);
    g->active = g->cancel != NULL && running_cancel == NULL;
    if (!g->active)
        return;
    running_cancel = g->cancel;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NGUARDED; i++) {
        sigaction(guarded_signals[i], NULL, &previous[i]);
        /* a signal the process ignores stays ignored */
        if (previous[i].sa_handler != SIG_IGN)
            sigaction(guarded_signals[i], &sa, NULL);
    }
}

void db_pq_guard_end(db_pq_guard *g)
{
    if (g->active) {
        for (int i = 0; i < NGUARDED; i++)
            if (previous[i].sa_handler != SIG_IGN)
                sigaction(guarded_signals[i], &previous[i], NULL);
        running_cancel = NULL;
    }
    if (g->cancel)
        PQfreeCancel(g->cancel);
    g->cancel = NULL;
    g->active = false;
}
