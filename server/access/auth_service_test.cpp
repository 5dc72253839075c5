#include "access/auth_service.hpp"

#include <gtest/gtest.h>

#include "storage/backend_fixture.hpp"

namespace voronka::access {
namespace {

class AuthServiceTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        auth_ = std::make_unique<AuthService>(db(), clock_);
    }

    std::pair<int64_t, std::string> NewTenant(const std::string& email) {
        auto r =
            storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
                return auth_->CreateTenant(tx, "Tenant " + email, email, "correct horse");
            });
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return *r;
    }

    core::ManualClock clock_{1'800'000'000'000'000};
    std::unique_ptr<AuthService> auth_;
};

TEST_P(AuthServiceTest, PasswordsAreArgon2idAndVerify) {
    const std::string hash = HashPassword("s3cret-pass");
    EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << hash;
    EXPECT_TRUE(VerifyPassword(hash, "s3cret-pass"));
    EXPECT_FALSE(VerifyPassword(hash, "s3cret-pasS"));
}

TEST_P(AuthServiceTest, TokensAuthenticateAndDieWithTheUser) {
    auto [tenant, admin] = NewTenant(storage::UniqueName("a") + "@example.com");
    auto token = storage::WriteReturning<IssuedToken>(db(), [&](Connection& tx) {
        return auth_->CreateToken(tx, tenant, admin, "ci", false, std::nullopt);
    });
    ASSERT_TRUE(token);
    auto ctx = auth_->Authenticate("Bearer " + token->token, "", "", "GET", "127.0.0.1");
    ASSERT_TRUE(ctx) << storage::Describe(ctx.error());
    EXPECT_EQ(ctx->tenant_id, tenant);
    EXPECT_EQ(ctx->user_id, admin);
    EXPECT_EQ(ctx->role, "admin");
    EXPECT_FALSE(auth_->Authenticate("Bearer " + token->token + "x", "", "", "GET", ""));
    EXPECT_FALSE(auth_->Authenticate("Basic abc", "", "", "GET", ""));
    EXPECT_FALSE(auth_->Authenticate("", "", "", "GET", ""));
    // Stored hashed: the plaintext token is nowhere in the table.
    auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1", {token->token});
    });
    EXPECT_EQ(storage::AsInt(rows->rows[0][0]), 0);
    ASSERT_TRUE(db().Write([&](Connection& tx) -> core::Status {
        auto r = tx.Execute("UPDATE users SET active = 0 WHERE id = $1", {admin});
        return r ? core::Ok() : core::Status(std::move(r).error());
    }));
    auto dead = auth_->Authenticate("Bearer " + token->token, "", "", "GET", "");
    ASSERT_FALSE(dead);
    EXPECT_EQ(dead.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, ExpiredAndReadOnlyTokens) {
    auto [tenant, admin] = NewTenant(storage::UniqueName("b") + "@example.com");
    auto token = storage::WriteReturning<IssuedToken>(db(), [&](Connection& tx) {
        return auth_->CreateToken(tx, tenant, admin, "short", true, clock_.NowMicros() + 1000);
    });
    ASSERT_TRUE(token);
    auto ctx = auth_->Authenticate("Bearer " + token->token, "", "", "GET", "");
    ASSERT_TRUE(ctx);
    EXPECT_TRUE(ctx->read_only);
    clock_.Advance(2000);
    EXPECT_FALSE(auth_->Authenticate("Bearer " + token->token, "", "", "GET", ""));
}

TEST_P(AuthServiceTest, LoginSessionCsrfAndThrottling) {
    const std::string email = storage::UniqueName("c") + "@example.com";
    NewTenant(email);
    auto login = auth_->Login(email, "correct horse", "10.0.0.1", "test", nullptr);
    ASSERT_TRUE(login) << storage::Describe(login.error());
    const std::string cookie = "theme=dark; voronka_session=" + login->session_token;
    EXPECT_TRUE(auth_->Authenticate("", cookie, "", "GET", ""));
    auto write_without_csrf = auth_->Authenticate("", cookie, "", "POST", "");
    ASSERT_FALSE(write_without_csrf);
    EXPECT_EQ(write_without_csrf.error().code, core::ErrorCode::kForbidden);
    EXPECT_TRUE(auth_->Authenticate("", cookie, login->csrf_token, "POST", ""));

    for (int i = 0; i < 10; ++i) {
        auto bad = auth_->Login(email, "wrong", "10.0.0.2", "test", nullptr);
        ASSERT_FALSE(bad);
        EXPECT_EQ(bad.error().code, core::ErrorCode::kUnauthenticated);
    }
    int64_t retry_after = 0;
    auto locked = auth_->Login(email, "correct horse", "10.0.0.3", "test", &retry_after);
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, core::ErrorCode::kRateLimited);
    EXPECT_GT(retry_after, 0);
    clock_.Advance(16LL * 60 * 1000000);
    EXPECT_TRUE(auth_->Login(email, "correct horse", "10.0.0.3", "test", nullptr));
}

TEST_P(AuthServiceTest, EmailsAreUniqueAcrossTenantsAndValidated) {
    const std::string email = storage::UniqueName("d") + "@example.com";
    NewTenant(email);
    auto again =
        storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
            return auth_->CreateTenant(tx, "Second", email, "correct horse");
        });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
    auto bad = storage::WriteReturning<std::string>(db(), [&](Connection& tx) {
        NewUser u;
        u.tenant_id = 1;
        u.email = "not-an-email";
        u.password = "short";
        u.role = "god";
        return auth_->CreateUser(tx, u);
    });
    ASSERT_FALSE(bad);
    ASSERT_EQ(bad.error().fields.size(), 3u);
    EXPECT_EQ(bad.error().fields[0].field, "email");
    EXPECT_EQ(bad.error().fields[1].field, "password");
    EXPECT_EQ(bad.error().fields[2].field, "role");
}

VORONKA_INSTANTIATE_BACKENDS(AuthServiceTest);

}  // namespace
}  // namespace voronka::access
