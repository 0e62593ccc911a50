/* A program that uses an installed libtix the way a host would: it only
 * sees <tix.h> and the library. Opens a store in a fresh temp directory,
 * creates a country, reads it back and prints the library version.
 * Usage: consumer [parent-dir]  (default $TMPDIR or /tmp). Exits 1 on any
 * failure. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tix.h>

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "consumer: %s: %s: %s\n", what, tix_strerror(rc),
            tix_errmsg());
    return 1;
}

int main(int argc, char **argv)
{
    const char *parent = argc > 1 ? argv[1] : getenv("TMPDIR");
    char dir[4096];
    if (!parent || !*parent)
        parent = "/tmp";
    snprintf(dir, sizeof dir, "%s/tix-consumer-XXXXXX", parent);
    if (!mkdtemp(dir)) {
        perror("consumer: mkdtemp");
        return 1;
    }

    int status = 1;
    tix_db *db = NULL;
    tix_place *got = NULL;

    if (strcmp(tix_version(), TIX_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header says %s, library says %s\n",
                TIX_VERSION_STRING, tix_version());
        goto out;
    }

    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = TIX_SYNC_NONE;
    int rc = tix_db_open(dir, &cfg, &db);
    if (rc != TIX_OK) {
        fail("tix_db_open", rc);
        goto out;
    }

    tix_place in = {.kind = TIX_PLACE_COUNTRY, .name = "India"};
    tix_id id = 0;
    rc = tix_place_create(db, &in, &id);
    if (rc != TIX_OK) {
        fail("tix_place_create", rc);
        goto out;
    }
    rc = tix_place_get(db, id, &got);
    if (rc != TIX_OK) {
        fail("tix_place_get", rc);
        goto out;
    }
    if (got->id != id || got->kind != TIX_PLACE_COUNTRY ||
        got->parent_id != 0 || strcmp(got->name, "India") != 0) {
        fprintf(stderr, "consumer: place read back wrong\n");
        goto out;
    }
    /* The error path works through the installed library too. */
    rc = tix_place_create(db, &in, NULL);
    if (rc != TIX_EEXISTS) {
        fprintf(stderr, "consumer: duplicate place gave %d, want %d\n", rc,
                TIX_EEXISTS);
        goto out;
    }

    printf("libtix %s place %llu %s ok\n", tix_version(),
           (unsigned long long)got->id, got->name);
    status = 0;
out:
    tix_place_free(got);
    tix_db_close(db);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return status;
}
