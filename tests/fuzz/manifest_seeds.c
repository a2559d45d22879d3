/* manifest_seeds.c - writes the manifest of each feature file that compiles (seeds of the manifest fuzz target). */
#include "driver.h"
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* manifest_seeds OUTDIR FILE.feat...: OUTDIR/<FILE with '/' as '_'>.manifest for each file
 * that compiles; files that do not are skipped. Prints how many were written. */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR FILE.feat...\n", argv[0]);
        return 2;
    }
    int written = 0;
    for (int i = 2; i < argc; i++) {
        driver_unit u;
        if (driver_read(&u, argv[i]) && driver_compile(&u)) {
            size_t len = 0;
            char *text = manifest_build(u.plan, &len);
            char *name = malloc(strlen(argv[1]) + strlen(argv[i]) + 16);
            if (!text || !name) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
            int k = sprintf(name, "%s/", argv[1]);
            for (const char *c = argv[i]; *c; c++)
                name[k++] = *c == '/' ? '_' : *c;
            strcpy(name + k, ".manifest");
            FILE *f = fopen(name, "w");
            if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
                fprintf(stderr, "cannot write %s\n", name);
                return 1;
            }
            written++;
            free(name);
            free(text);
        }
        driver_free(&u);
    }
    printf("%d manifests written to %s\n", written, argv[1]);
    return 0;
}
