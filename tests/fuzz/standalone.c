/* main() for the fuzz targets when there is no libFuzzer (gcc builds, and
 * `make test`): feeds LLVMFuzzerTestOneInput every file of the corpus
 * directories (or files) named on the command line, once each, in name
 * order; a target's checks abort() on a broken rule, and ASan/UBSan see
 * every input. `<target> --make-seeds DIR` writes the target's seed
 * corpus into DIR instead. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
void fuzz_make_seeds(const char *dir);

static size_t run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* an exact-size copy, so ASan sees any read past the input */
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--make-seeds")) {
        fuzz_make_seeds(argv[2]);
        return 0;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    size_t inputs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: no such corpus\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            inputs += run_file(argv[i]);
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, by_name);
        for (int k = 0; k < n; k++) {
            if (names[k]->d_name[0] != '.') {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
                inputs += run_file(path);
            }
            free(names[k]);
        }
        free(names);
    }
    printf("%s: %zu inputs, every rule held\n", argv[0], inputs);
    return inputs ? 0 : 1;
}
