/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-digestlist: the vendor's tool for reference digest lists
 * (docs/ATTESTATION.md "Digest lists").
 *
 *   keygen --out-dir D      mldsa65.key (ξ, 0600), mldsa65.pub (raw FIPS 204
 *                           public key), ecdsa-p384.key (PEM, 0600), ecdsa-p384.pub
 *   build --vendor V --image I --version N --root DIR [--prefix P]
 *         [--config PATH]... [--forbid FILE]... --mldsa-key K --ecdsa-key K -o OUT
 *                           every regular file below DIR, SHA-256, path as on the
 *                           router (P + path relative to DIR); --config marks a
 *                           router path as configuration; --forbid adds a known-bad
 *                           file's digest
 *   verify --mldsa-pub F --ecdsa-pub F LIST
 *   show [--json] LIST      (does not check the signatures: use verify)
 *
 * Exit status: 0 success, 1 a signature or file problem, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qtpm/attest.h"
#include "qtpm/common.h"
#include "qtpm/mldsa.h"
#include "qtpm/version.h"

static int usage_to(FILE *f, int status)
{
    fprintf(f,
            "usage: qtpm-digestlist keygen --out-dir D\n"
            "       qtpm-digestlist build --vendor V --image I --version N --root DIR "
            "[--prefix P] [--config PATH]... [--forbid FILE]... --mldsa-key K --ecdsa-key K "
            "-o OUT\n"
            "       qtpm-digestlist verify --mldsa-pub F --ecdsa-pub F LIST\n"
            "       qtpm-digestlist show [--json] LIST\n"
            "       qtpm-digestlist --version | --help\n"
            "Builds, signs (ML-DSA-65 and ECDSA P-384), verifies and shows reference digest\n"
            "lists in the QDL1 format (docs/ATTESTATION.md).\n");
    return status;
}

static int usage(void)
{
    return usage_to(stderr, 2);
}

static int read_all(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "qtpm-digestlist: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, 2 * cap + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        return -1;
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static int write_all(const char *path, const void *buf, size_t len, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0) {
        fprintf(stderr, "qtpm-digestlist: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fchmod(fd, (mode_t)mode);
    return close(fd);
}

static int cmd_keygen(const char *dir)
{
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], xi[32];
    static uint8_t sk[QTPM_MLDSA_MAX_SK_BYTES];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "qtpm-digestlist: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (qtpm_mldsa_keygen(QTPM_MLDSA_65, pk, sk, xi) != QTPM_OK)
        return 1;
    qtpm_memzero(sk, sizeof sk);
    char p[4096];
    int rc = 0;
    snprintf(p, sizeof p, "%s/mldsa65.key", dir);
    rc |= write_all(p, xi, 32, 0600);
    qtpm_memzero(xi, sizeof xi);
    snprintf(p, sizeof p, "%s/mldsa65.pub", dir);
    rc |= write_all(p, pk, qtpm_mldsa_pk_bytes(QTPM_MLDSA_65), 0644);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    if (!k)
        return 1;
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    snprintf(p, sizeof p, "%s/ecdsa-p384.key", dir);
    if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 &&
        (n = BIO_get_mem_data(b, &data)) > 0)
        rc |= write_all(p, data, (size_t)n, 0600);
    else
        rc = 1;
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    snprintf(p, sizeof p, "%s/ecdsa-p384.pub", dir);
    if (b && PEM_write_bio_PUBKEY(b, k) == 1 && (n = BIO_get_mem_data(b, &data)) > 0)
        rc |= write_all(p, data, (size_t)n, 0644);
    else
        rc = 1;
    BIO_free(b);
    EVP_PKEY_free(k);
    if (rc == 0)
        printf("vendor keys in %s: mldsa65.key/.pub (ML-DSA-65), ecdsa-p384.key/.pub\n", dir);
    return rc ? 1 : 0;
}

typedef struct {
    qtpm_dl_entry *e;
    size_t n, cap;
    char **configs;
    size_t n_configs;
} builder;

static int sha256_file(const char *path, uint8_t d[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
    uint8_t buf[65536];
    size_t r;
    while (ok && (r = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(c, buf, r) == 1;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, d, NULL) == 1;
    EVP_MD_CTX_free(c);
    fclose(f);
    return ok ? 0 : -1;
}

static int add(builder *b, const uint8_t d[32], const char *path, qtpm_dl_kind kind)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 256;
        qtpm_dl_entry *ne = realloc(b->e, nc * sizeof *ne);
        if (!ne)
            return -1;
        b->e = ne;
        b->cap = nc;
    }
    qtpm_dl_entry *e = &b->e[b->n++];
    memset(e, 0, sizeof *e);
    e->alg = TPM_ALG_SHA256;
    e->digest_len = 32;
    memcpy(e->digest, d, 32);
    e->kind = kind;
    e->path = strdup(path);
    return e->path ? 0 : -1;
}

static int walk(builder *b, const char *dir, const char *rel, int depth)
{
    if (depth > 64)
        return -1;
    DIR *dh = opendir(dir);
    if (!dh) {
        fprintf(stderr, "qtpm-digestlist: cannot read %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char file[4096], rpath[4096];
        if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, de->d_name) >= sizeof file ||
            (size_t)snprintf(rpath, sizeof rpath, "%s/%s", rel, de->d_name) >= sizeof rpath) {
            rc = -1;
            break;
        }
        struct stat st;
        if (lstat(file, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk(b, file, rpath, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            uint8_t d[32];
            if (sha256_file(file, d) != 0) {
                fprintf(stderr, "qtpm-digestlist: cannot read %s\n", file);
                rc = -1;
                break;
            }
            qtpm_dl_kind kind = QTPM_DL_EXEC;
            for (size_t i = 0; i < b->n_configs; i++)
                if (!strcmp(b->configs[i], rpath))
                    kind = QTPM_DL_CONFIG;
            rc = add(b, d, rpath, kind);
        }
    }
    closedir(dh);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-v") || !strcmp(cmd, "--version")) {
        printf("qtpm-digestlist " QTPM_VERSION "\n");
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
        return usage_to(stdout, 0);
    const char *out_dir = NULL, *vendor = NULL, *image = NULL, *root = NULL, *prefix = "",
               *mkey = NULL, *ekey = NULL, *out = NULL, *mpub = NULL, *epub = NULL,
               *list = NULL;
    const char *version = NULL;
    char *configs[64], *forbids[64];
    size_t nc = 0, nf = 0;
    int as_json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) else if (!strcmp(a, name) && v) { var = v; i++; }
        if (0) {
        }
        OPT("--out-dir", out_dir) OPT("--vendor", vendor) OPT("--image", image)
        OPT("--version", version) OPT("--root", root) OPT("--prefix", prefix)
        OPT("--mldsa-key", mkey) OPT("--ecdsa-key", ekey) OPT("-o", out)
        OPT("--mldsa-pub", mpub) OPT("--ecdsa-pub", epub)
        else if (!strcmp(a, "--config") && v && nc < 64) { configs[nc++] = argv[++i]; }
        else if (!strcmp(a, "--forbid") && v && nf < 64) { forbids[nf++] = argv[++i]; }
        else if (!strcmp(a, "--json")) as_json = 1;
        else if (a[0] != '-' && !list) list = a;
        else return usage();
#undef OPT
    }
    if (!strcmp(cmd, "keygen"))
        return out_dir ? cmd_keygen(out_dir) : usage();
    if (!strcmp(cmd, "build")) {
        if (!vendor || !image || !version || !root || !mkey || !ekey || !out)
            return usage();
        char *end;
        unsigned long long ver = strtoull(version, &end, 10);
        if (*end || !*version) {
            fprintf(stderr, "qtpm-digestlist: --version must be a number\n");
            return 2;
        }
        builder b = { NULL, 0, 0, configs, nc };
        /* "--prefix /" or "/opt/" must not give "//bin/x": the walk adds the slashes */
        char pfx[1024];
        size_t pn = strlen(prefix);
        while (pn > 0 && prefix[pn - 1] == '/')
            pn--;
        if (pn >= sizeof pfx) {
            fprintf(stderr, "qtpm-digestlist: --prefix too long\n");
            return 2;
        }
        memcpy(pfx, prefix, pn);
        pfx[pn] = '\0';
        if (walk(&b, root, pfx, 0) != 0)
            return 1;
        for (size_t i = 0; i < nf; i++) {
            uint8_t d[32];
            if (sha256_file(forbids[i], d) != 0 || add(&b, d, forbids[i], QTPM_DL_FORBIDDEN)) {
                fprintf(stderr, "qtpm-digestlist: cannot read %s\n", forbids[i]);
                return 1;
            }
        }
        uint8_t *seed = NULL, *pem = NULL;
        size_t sl = 0, pl = 0;
        if (read_all(mkey, &seed, &sl) || read_all(ekey, &pem, &pl))
            return 1;
        if (sl != 32) {
            fprintf(stderr, "qtpm-digestlist: %s is not an ML-DSA-65 key (32-byte seed)\n", mkey);
            return 1;
        }
        qtpm_digestlist dl = { (char *)vendor, (char *)image, ver, (uint64_t)time(NULL), b.e,
                               b.n };
        uint8_t *signed_list = NULL;
        size_t len = 0;
        int rc = qtpm_digestlist_sign(&dl, seed, (const char *)pem, &signed_list, &len);
        qtpm_memzero(seed, sl);
        qtpm_memzero(pem, pl);
        free(seed);
        free(pem);
        if (rc != 0) {
            fprintf(stderr, "qtpm-digestlist: signing failed (is %s an ECDSA P-384 key?)\n", ekey);
            return 1;
        }
        rc = write_all(out, signed_list, len, 0644);
        if (rc == 0)
            printf("%s: %s %s version %llu, %zu digests, signed ML-DSA-65 + ECDSA P-384\n", out,
                   vendor, image, ver, dl.count);
        for (size_t i = 0; i < dl.count; i++)
            free(dl.entries[i].path);
        free(dl.entries);
        free(signed_list);
        return rc ? 1 : 0;
    }
    if (!strcmp(cmd, "verify") || !strcmp(cmd, "show")) {
        if (!list || (!strcmp(cmd, "verify") && (!mpub || !epub)))
            return usage();
        uint8_t *buf = NULL, *pk = NULL, *pem = NULL;
        size_t len = 0, pkl = 0, pl = 0;
        if (read_all(list, &buf, &len))
            return 1;
        qtpm_digestlist dl;
        int rc;
        if (!strcmp(cmd, "verify")) {
            if (read_all(mpub, &pk, &pkl) || read_all(epub, &pem, &pl))
                return 1;
            rc = qtpm_digestlist_verify(buf, len, pk, pkl, (const char *)pem, &dl);
            if (rc == QTPM_ATTEST_ESIG)
                fprintf(stderr, "qtpm-digestlist: %s: a signature is missing or does not "
                                "verify (both ML-DSA-65 and ECDSA P-384 must)\n", list);
        } else {
            rc = qtpm_digestlist_parse_unverified(buf, len, &dl, NULL);
        }
        if (rc == QTPM_ATTEST_EINVAL)
            fprintf(stderr, "qtpm-digestlist: %s is not a well-formed digest list\n", list);
        free(buf);
        free(pk);
        free(pem);
        if (rc != 0)
            return 1;
        if (as_json) {
            json_t *a = json_array();
            for (size_t i = 0; i < dl.count; i++) {
                char hex[129];
                for (size_t k = 0; k < dl.entries[i].digest_len; k++)
                    snprintf(hex + 2 * k, 3, "%02x", dl.entries[i].digest[k]);
                json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "digest", hex, "path",
                                                   dl.entries[i].path, "kind",
                                                   dl.entries[i].kind == QTPM_DL_EXEC ? "exec"
                                                   : dl.entries[i].kind == QTPM_DL_CONFIG
                                                       ? "config" : "forbidden"));
            }
            json_t *j = json_pack("{s:s,s:s,s:I,s:I,s:o}", "vendor", dl.vendor, "image",
                                  dl.image, "version", (json_int_t)dl.version, "issued",
                                  (json_int_t)dl.issued, "entries", a);
            char *s = json_dumps(j, JSON_INDENT(2));
            printf("%s\n", s ? s : "{}");
            free(s);
            json_decref(j);
        } else {
            printf("%s %s version %llu: %zu digests%s\n", dl.vendor, dl.image,
                   (unsigned long long)dl.version, dl.count,
                   !strcmp(cmd, "verify") ? ", ML-DSA-65 and ECDSA P-384 signatures good" : "");
        }
        qtpm_digestlist_free(&dl);
        return 0;
    }
    return usage();
}
