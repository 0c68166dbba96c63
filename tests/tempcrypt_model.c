/*
 * Drives one anonymous temporary file of the alpr-tempcrypt VFS with random writes, reads and
 * truncations (partial blocks, gaps past the end, growing and shrinking truncations) and
 * checks every read against a plain in-memory copy; then checks that the bytes on disk are
 * not the bytes written. Built and run by tests/test_tempcrypt.py, with the extension built
 * beside it (under AddressSanitizer and UBSan when the compiler has them).
 *
 * usage: tempcrypt_model EXTENSION.so SEED STEPS
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXSIZE (64 * 4096)

static unsigned long long state;
static unsigned rnd(unsigned n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

static int fail(const char *what, long long a, long long b) {
    fprintf(stderr, "FAIL %s (%lld, %lld)\n", what, a, b);
    return 1;
}

int main(int argc, char **argv) {
    sqlite3 *db;
    char *err = 0;
    sqlite3_vfs *vfs;
    sqlite3_file *f;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE
                | SQLITE_OPEN_EXCLUSIVE | SQLITE_OPEN_TEMP_JOURNAL;
    static unsigned char model[MAXSIZE], got[MAXSIZE], data[MAXSIZE];
    long long size = 0, step, steps, reads = 0, writes = 0, truncs = 0;
    int rc, out = 0;
    char fdpath[64], target[512];
    ssize_t n;

    if (argc != 4) return 2;
    state = strtoull(argv[2], 0, 10);
    steps = strtoll(argv[3], 0, 10);
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 2;
    sqlite3_enable_load_extension(db, 1);
    if (sqlite3_load_extension(db, argv[1], "sqlite3_tempcrypt_init", &err) != SQLITE_OK) {
        fprintf(stderr, "load: %s\n", err);
        return 2;
    }
    vfs = sqlite3_vfs_find(0);
    if (!vfs || strcmp(vfs->zName, "alpr-tempcrypt") != 0) return fail("default vfs", 0, 0);
    f = calloc(1, (size_t)vfs->szOsFile);
    rc = vfs->xOpen(vfs, 0, f, flags, &out);
    if (rc != SQLITE_OK) return fail("open", rc, 0);
    memset(model, 0, sizeof model);

    for (step = 0; step < steps; step++) {
        unsigned op = rnd(10);
        long long off = rnd(MAXSIZE - 1);
        int len = 1 + (int)rnd(rnd(4) == 0 ? 3 * 4096 : 600);
        if (rnd(3) == 0) off = (off / 4096) * 4096;              /* often block-aligned */
        if (rnd(4) == 0 && size > 0) off = size - rnd(size < 100 ? (unsigned)size : 100);
        if (off + len > MAXSIZE) len = (int)(MAXSIZE - off);
        if (op < 5) {                                              /* write */
            unsigned i;
            for (i = 0; i < (unsigned)len; i++) data[i] = (unsigned char)rnd(256);
            rc = f->pMethods->xWrite(f, data, len, off);
            if (rc != SQLITE_OK) return fail("write", rc, off);
            memcpy(model + off, data, (size_t)len);
            if (off + len > size) size = off + len;
            writes++;
        } else if (op < 9) {                                       /* read */
            memset(got, 0xAA, (size_t)len);
            rc = f->pMethods->xRead(f, got, len, off);
            if (off + len <= size) {
                if (rc != SQLITE_OK) return fail("read", rc, off);
            } else if (rc != SQLITE_IOERR_SHORT_READ) {
                return fail("short read", rc, off);
            }
            /* past the end a short read fills with zeros; the model holds zeros there */
            if (memcmp(got, model + off, (size_t)len) != 0) return fail("content", off, len);
            reads++;
        } else {                                                   /* truncate, down or up */
            long long to = rnd(4) == 0 ? (long long)rnd(MAXSIZE) : (size > 0 ? rnd((unsigned)size + 1) : 0);
            sqlite3_int64 now;
            rc = f->pMethods->xTruncate(f, to);
            if (rc != SQLITE_OK) return fail("truncate", rc, to);
            if (to < size) memset(model + to, 0, (size_t)(size - to));
            size = to;
            if (f->pMethods->xFileSize(f, &now) != SQLITE_OK || now != size) return fail("size", now, size);
            truncs++;
        }
    }

    /* The bytes on disk (through /proc, as an insider would read them) are not the model's. */
    if (size >= 4096) {
        int fd, found = 0, same = 0;
        long long i;
        static unsigned char disk[MAXSIZE];
        for (fd = 3; fd < 256 && !found; fd++) {
            snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
            n = readlink(fdpath, target, sizeof target - 1);
            if (n > 0) {
                target[n] = 0;
                if (strstr(target, "etilqs_")) {
                    if (pread(fd, disk, (size_t)size, 0) != size) return fail("disk read", fd, size);
                    found = 1;
                }
            }
        }
        if (!found) return fail("no temp file on disk", 0, 0);
        for (i = 0; i < size; i++) same += disk[i] == model[i] && model[i] != 0;
        if (same > size / 64) return fail("plaintext on disk", same, size);
    }
    rc = f->pMethods->xClose(f);
    if (rc != SQLITE_OK) return fail("close", rc, 0);
    free(f);
    sqlite3_close(db);
    printf("ok %lld writes %lld reads %lld truncates, final size %lld\n", writes, reads, truncs, size);
    return 0;
}
