// Write hooks that keep matching keys (E.164 phones) beside the values as typed.
#pragma once

#include "records/metadata.hpp"

namespace voronka::sales {

// Sets `<phone_field>_e164` from the typed phone using the tenant's default region; an
// unparseable phone is kept as typed and its E.164 column left empty.
records::WriteHook PhoneE164Hook(std::string phone_field);

}  // namespace voronka::sales
