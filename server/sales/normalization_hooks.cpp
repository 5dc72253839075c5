// Phone normalisation on write, via the quality domain's libphonenumber wrapper.
#include "sales/normalization_hooks.hpp"

#include "quality/normalize.hpp"

namespace voronka::sales {

records::WriteHook PhoneE164Hook(std::string phone_field) {
    return [phone_field](records::WriteHookArgs& args) -> core::Status {
        const std::string target = phone_field + "_e164";
        const auto& phone = args.values[phone_field];
        if (!phone.is_string()) {
            args.values[target] = nullptr;
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows region,
            args.tx.Query("SELECT default_region FROM tenants WHERE id = $1", {args.ctx.tenant_id})
        );
        const std::string default_region = region.empty() ? "RU" : storage::AsText(region.rows[0][0]);
        const quality::Normalized n = quality::NormalizePhone(phone.get<std::string>(), default_region);
        args.values[target] = n.valid ? core::Json(n.normalized) : core::Json(nullptr);
        return core::Ok();
    };
}

}  // namespace voronka::sales
