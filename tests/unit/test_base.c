/*
 * test_base.c - the arena: memory handed out after ml_arena_reset is the
 * kept blocks' (no new mapping), ml_zalloc clears it although the blocks
 * were mapped zero once, strings and aligned objects survive until the
 * reset, and a request larger than any kept block still gets its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "meshlint/base.h"

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Fill the arena past several 2 MiB blocks with non-zero bytes, reset, and
 * ask again: every ml_zalloc must be zero, and the memory is the old one. */
static void test_reset_zalloc(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    enum { N = 4000, SZ = 3000 };
    unsigned char *first[N];
    for (int i = 0; i < N; i++) {
        first[i] = ml_zalloc(&a, SZ);
        assert_true(all_zero(first[i], SZ));
        memset(first[i], 0xA5, SZ);
        char *s = ml_strdup(&a, "a string between the objects");
        memset(s, 0x5A, 10);
    }
    ml_arena_reset(&a);
    assert_int_equal(a.total, 0);
    size_t reused = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            unsigned char *p = ml_zalloc(&a, SZ);
            assert_true(all_zero(p, SZ));
            for (int k = 0; k < N && !round; k++)
                if (p == first[k]) {
                    reused++;
                    break;
                }
            memset(p, 0xC3, SZ);
            char *s = ml_strdup(&a, "kept until the reset");
            assert_string_equal(s, "kept until the reset");
        }
        if (!round)
            assert_true(reused > N / 2); /* most of it is the old memory */
        ml_arena_reset(&a);
    }
    ml_arena_free(&a);
}

/* Requests of every size, some larger than any block (their own blocks),
 * over several resets: contents stay intact until the reset, aligned
 * requests stay aligned. */
static void test_reset_mixed(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    unsigned seed = 7;
    for (int round = 0; round < 6; round++) {
        enum { N = 3000 };
        unsigned char *ptr[N];
        size_t len[N];
        for (int i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t sz = 1 + (seed >> 8) % 700;
            if (i % 500 == 3)
                sz = (size_t)(round + 1) * 700 * 1024; /* a block of its own */
            len[i] = sz;
            if (i % 3 == 0) {
                ptr[i] = ml_zalloc(&a, sz);
                assert_true(all_zero(ptr[i], sz));
            } else if (i % 3 == 1) {
                ptr[i] = ml_alloc_aligned(&a, sz, 8);
                assert_int_equal((uintptr_t)ptr[i] % 8, 0);
            } else {
                ptr[i] = (unsigned char *)ml_strndup(&a, "xxxxxxxx", 8);
                len[i] = 9;
                continue;
            }
            memset(ptr[i], i & 0xFF, sz);
        }
        for (int i = 0; i < N; i++) {
            if (i % 3 == 2) {
                assert_string_equal((char *)ptr[i], "xxxxxxxx");
                continue;
            }
            for (size_t k = 0; k < len[i]; k++)
                assert_int_equal(ptr[i][k], i & 0xFF);
        }
        ml_arena_reset(&a);
    }
    ml_arena_free(&a);
}

/* Vectors grown in a reset arena keep their items. */
static void test_reset_vec(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    for (int round = 0; round < 3; round++) {
        ml_vec v = {0};
        for (uintptr_t i = 1; i <= 100000; i++)
            ml_vec_push(&a, &v, (void *)i);
        assert_int_equal(v.n, 100000);
        for (uintptr_t i = 0; i < v.n; i++)
            assert_true((uintptr_t)v.items[i] == i + 1);
        ml_arena_reset(&a);
    }
    ml_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_zalloc),
        cmocka_unit_test(test_reset_mixed),
        cmocka_unit_test(test_reset_vec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
