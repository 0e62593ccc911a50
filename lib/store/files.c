/* Store files and store directories: see files.h. */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

int tix__store_file(const char *name)
{
    static const char *const fixed[] = {
        TIX__FILE_DATA, TIX__FILE_LOCK, TIX__FILE_SEATMAP, TIX__FILE_JOURNAL,
        TIX__FILE_JOURNAL_SHM,
        TIX__FILE_DATA_RESTORE,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0) return 1;
    for (unsigned f = 0; f < 2; f++) {
        char snap[32];
        snprintf(snap, sizeof snap, TIX__FILE_SNAPSHOT_FMT, f);
        if (strcmp(name, snap) == 0) return 1;
    }
    size_t n = strlen(TIX__FILE_SEATMAP);
    return strncmp(name, TIX__FILE_SEATMAP, n) == 0 && name[n] == '.' &&
           all_digits(name + n + 1);
}

static int dot_entry(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

int tix__store_dir_kind(const char *dir, int *kind)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) return tix__mdb_err(errno, dir);
        *kind = TIX__DIR_ABSENT;
        return TIX_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return tix__err(TIX_EINVAL, "%s is not a directory", dir);
    DIR *d = opendir(dir);
    if (!d) return tix__mdb_err(errno, dir);
    int data = 0, foreign = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (dot_entry(e->d_name)) continue;
        if (strcmp(e->d_name, TIX__FILE_DATA) == 0) data = 1;
        else if (!tix__store_file(e->d_name)) foreign = 1;
    }
    closedir(d);
    *kind = data      ? TIX__DIR_STORE
            : foreign ? TIX__DIR_FOREIGN
                      : TIX__DIR_EMPTY;
    return TIX_OK;
}

int tix__store_dir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : errno;
    int err = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (dot_entry(e->d_name) || !tix__store_file(e->d_name)) continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= PATH_MAX) {
            err = ENAMETOOLONG;
            continue;
        }
        if (unlink(path) != 0 && errno != ENOENT && !err) err = errno;
    }
    closedir(d);
    if (!err && rmdir(dir) != 0 && errno != ENOENT) err = errno;
    if (err == EEXIST) err = ENOTEMPTY;
    return err;
}
