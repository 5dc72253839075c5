// Test-only: locates the shared reference data (VORONKA_SHARED_DATA, else the build-time path).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace voronka::analytics::test_data {

inline std::string SharedDataPath(std::string_view relative) {
    const char* root = std::getenv("VORONKA_SHARED_DATA");
    return std::string(root != nullptr ? root : VORONKA_SHARED_DATA_DIR) + "/" +
           std::string(relative);
}

}  // namespace voronka::analytics::test_data
