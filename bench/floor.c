/*
 * floor.c - the physical floor for meshlint's design: read every input file
 * whole and run libyaml's event parser over each manifest, doing nothing else.
 *
 *   floor PATH...
 *
 * It walks directories as meshlint does (hidden entries, node_modules and
 * symbolic links skipped; the kind of an entry from readdir's d_type), reads every .yaml/.yml/.json and TypeScript or
 * JavaScript file into memory with one read, and pulls every event out of
 * libyaml for the manifests. No tree, no model, no rules: whatever meshlint
 * spends beyond this is the price of its own work. Single-threaded on
 * purpose. Prints the number of files, bytes and events, so the work cannot
 * be optimised away and the totals can be checked against bench/gen.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static uint64_t nfiles, nbytes, nevents, nerrors;
static char *data;
static size_t cap;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* 1: YAML or JSON (parsed), 2: TypeScript/JavaScript (read only), 0: other */
static int kind_of(const char *name)
{
    if (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json"))
        return 1;
    static const char *const ts[] = {".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        if (ends_with(name, ts[i]))
            return ends_with(name, ".d.ts") ? 0 : 2;
    return 0;
}

static void parse(const char *path, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fprintf(stderr, "floor: libyaml out of memory\n");
        exit(2);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            fprintf(stderr, "floor: %s: %s\n", path, p.problem ? p.problem : "YAML error");
            nerrors++;
            break;
        }
        nevents++;
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end)
            break;
    }
    yaml_parser_delete(&p);
}

static void one_file(const char *path, int kind)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
        nerrors++;
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return;
    }
    size_t want = (size_t)st.st_size + 1;
    if (want > cap) {
        cap = want * 2;
        data = realloc(data, cap);
        if (!data) {
            fprintf(stderr, "floor: out of memory\n");
            exit(2);
        }
    }
    size_t n = 0;
    for (;;) {
        ssize_t got = read(fd, data + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
        if (n + 1 >= cap)
            break;
    }
    close(fd);
    data[n] = '\0';
    nfiles++;
    nbytes += n;
    if (kind == 1)
        parse(path, n);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "floor: %s: %s\n", dir, strerror(errno));
        nerrors++;
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(n);
        if (!path)
            exit(2);
        snprintf(path, n, "%s/%s", dir, e->d_name);
        /* d_type as meshlint uses it; lstat only where the file system
         * leaves it unknown */
        int is_dir = e->d_type == DT_DIR, reg = e->d_type == DT_REG;
        struct stat st;
        if (e->d_type == DT_UNKNOWN && lstat(path, &st) == 0) {
            is_dir = S_ISDIR(st.st_mode);
            reg = S_ISREG(st.st_mode);
        }
        if (is_dir)
            walk(path);
        else if (reg && kind_of(path))
            one_file(path, kind_of(path));
        free(path);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: floor PATH...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "floor: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode))
            walk(argv[i]);
        else
            one_file(argv[i], kind_of(argv[i]) ? kind_of(argv[i]) : 1);
    }
    free(data);
    printf("files %llu\nbytes %llu\nevents %llu\n", (unsigned long long)nfiles, (unsigned long long)nbytes,
           (unsigned long long)nevents);
    return nerrors ? 1 : 0;
}
