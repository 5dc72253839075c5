// Seeded generator of Russian/Ukrainian contacts with noisy duplicates and look-alike relatives.
#include "quality/contact_generator.hpp"

#include <array>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace voronka::quality {
namespace {

struct MaleName {
    std::string_view name;
    std::string_view patronymic_male;
    std::string_view patronymic_female;
};

constexpr std::array<MaleName, 40> kMaleNames = {{
    {"Александр", "Александрович", "Александровна"},
    {"Алексей", "Алексеевич", "Алексеевна"},
    {"Андрей", "Андреевич", "Андреевна"},
    {"Антон", "Антонович", "Антоновна"},
    {"Артём", "Артёмович", "Артёмовна"},
    {"Борис", "Борисович", "Борисовна"},
    {"Вадим", "Вадимович", "Вадимовна"},
    {"Василий", "Васильевич", "Васильевна"},
    {"Виктор", "Викторович", "Викторовна"},
    {"Виталий", "Витальевич", "Витальевна"},
    {"Владимир", "Владимирович", "Владимировна"},
    {"Вячеслав", "Вячеславович", "Вячеславовна"},
    {"Геннадий", "Геннадьевич", "Геннадьевна"},
    {"Георгий", "Георгиевич", "Георгиевна"},
    {"Глеб", "Глебович", "Глебовна"},
    {"Григорий", "Григорьевич", "Григорьевна"},
    {"Денис", "Денисович", "Денисовна"},
    {"Дмитрий", "Дмитриевич", "Дмитриевна"},
    {"Евгений", "Евгеньевич", "Евгеньевна"},
    {"Егор", "Егорович", "Егоровна"},
    {"Иван", "Иванович", "Ивановна"},
    {"Игорь", "Игоревич", "Игоревна"},
    {"Илья", "Ильич", "Ильинична"},
    {"Кирилл", "Кириллович", "Кирилловна"},
    {"Константин", "Константинович", "Константиновна"},
    {"Леонид", "Леонидович", "Леонидовна"},
    {"Максим", "Максимович", "Максимовна"},
    {"Михаил", "Михайлович", "Михайловна"},
    {"Никита", "Никитич", "Никитична"},
    {"Николай", "Николаевич", "Николаевна"},
    {"Олег", "Олегович", "Олеговна"},
    {"Павел", "Павлович", "Павловна"},
    {"Роман", "Романович", "Романовна"},
    {"Сергей", "Сергеевич", "Сергеевна"},
    {"Станислав", "Станиславович", "Станиславовна"},
    {"Степан", "Степанович", "Степановна"},
    {"Тарас", "Тарасович", "Тарасовна"},
    {"Богдан", "Богданович", "Богдановна"},
    {"Олександр", "Олександрович", "Олександрівна"},
    {"Юрий", "Юрьевич", "Юрьевна"},
}};

constexpr std::array<std::string_view, 40> kFemaleNames = {
    "Анастасия", "Анна",   "Алина",    "Алёна",   "Валентина", "Валерия", "Вера",
    "Виктория",  "Галина", "Дарья",    "Евгения", "Екатерина", "Елена",   "Елизавета",
    "Жанна",     "Зоя",    "Ирина",    "Карина",  "Ксения",    "Лариса",  "Людмила",
    "Маргарита", "Марина", "Мария",    "Надежда", "Наталья",   "Нина",    "Оксана",
    "Ольга",     "Полина", "Светлана", "София",   "Таисия",    "Татьяна", "Ульяна",
    "Юлия",      "Яна",    "Олена",    "Ганна",   "Христина",
};

constexpr std::array<std::string_view, 100> kSurnames = {
    "Иванов",      "Смирнов",   "Кузнецов",   "Попов",      "Васильев",  "Петров",    "Соколов",
    "Михайлов",    "Новиков",   "Фёдоров",    "Морозов",    "Волков",    "Алексеев",  "Лебедев",
    "Семёнов",     "Егоров",    "Павлов",     "Козлов",     "Степанов",  "Николаев",  "Орлов",
    "Андреев",     "Макаров",   "Никитин",    "Захаров",    "Зайцев",    "Соловьёв",  "Борисов",
    "Яковлев",     "Григорьев", "Романов",    "Воробьёв",   "Сергеев",   "Кузьмин",   "Фролов",
    "Александров", "Дмитриев",  "Королёв",    "Гусев",      "Киселёв",   "Ильин",     "Максимов",
    "Поляков",     "Сорокин",   "Виноградов", "Ковалёв",    "Белов",     "Медведев",  "Антонов",
    "Тарасов",     "Жуков",     "Баранов",    "Филиппов",   "Комаров",   "Давыдов",   "Беляев",
    "Герасимов",   "Богданов",  "Осипов",     "Сидоров",    "Матвеев",   "Титов",     "Марков",
    "Миронов",     "Крылов",    "Куликов",    "Карпов",     "Власов",    "Мельников", "Денисов",
    "Гаврилов",    "Тихонов",   "Казаков",    "Афанасьев",  "Данилов",   "Савельев",  "Тимофеев",
    "Фомин",       "Чернов",    "Абрамов",    "Мартынов",   "Ефимов",    "Щербаков",  "Назаров",
    "Хомяков",     "Цветков",   "Шевченко",   "Бондаренко", "Коваленко", "Ткаченко",  "Кравченко",
    "Олейник",     "Шевчук",    "Поліщук",    "Мельничук",  "Левицкий",  "Ковальчук", "Юрченко",
    "Гончаренко",  "Руденко",
};

// Stems for composed surnames ("Белов", "Беленко", "Белинский", ...): real CRMs have far more
// distinct surnames than any short list, and namesakes should be as rare as in life.
constexpr std::array<std::string_view, 120> kSurnameStems = {
    "Бел",    "Бобр",  "Борзен",   "Буров",  "Вагн",   "Ветл",   "Волын",  "Гайдук",  "Галк",
    "Гладк",  "Глуш",  "Голуб",    "Горбач", "Грачев", "Греб",   "Гром",   "Дуб",     "Дорош",
    "Ерем",   "Жар",   "Журавл",   "Заруб",  "Зверев", "Зим",    "Злоб",   "Игнат",   "Кабан",
    "Калин",  "Карас", "Кедр",     "Клим",   "Ковыл",  "Колесн", "Корн",   "Костр",   "Кудр",
    "Лавр",   "Лапт",  "Левч",     "Лесн",   "Лис",    "Литв",   "Лопат",  "Луков",   "Люб",
    "Мазур",  "Малах", "Марч",     "Мед",    "Мирош",  "Мороз",  "Мух",    "Нестер",  "Нов",
    "Овчар",  "Огар",  "Озер",     "Орех",   "Остап",  "Пан",    "Пасечн", "Перепел", "Песк",
    "Плотн",  "Подол", "Прох",     "Пуг",    "Радч",   "Рог",    "Руд",    "Рыб",     "Сав",
    "Самойл", "Сват",  "Сед",      "Сел",    "Сем",    "Скворц", "Слав",   "Сотн",    "Стрел",
    "Сух",    "Тарас", "Твердохл", "Теслен", "Тимош",  "Ткач",   "Толст",  "Троф",    "Угл",
    "Устим",  "Фед",   "Филон",    "Хмел",   "Холод",  "Хрущ",   "Цар",    "Чайк",    "Черн",
    "Чубар",  "Шап",   "Шевел",    "Шир",    "Шульг",  "Щеглов", "Щук",    "Юрк",     "Яков",
    "Ярош",   "Ясн",   "Авер",     "Бонд",   "Вороб",  "Гусар",  "Давид",  "Ермак",   "Жданов",
    "Забол",  "Ивашк", "Кисел",
};

constexpr std::array<std::string_view, 6> kSurnameSuffixes = {
    "ов", "ин", "ский", "енко", "чук", "ов"};

constexpr std::array<std::string_view, 12> kCities = {
    "Москва",
    "Санкт-Петербург",
    "Казань",
    "Новосибирск",
    "Екатеринбург",
    "Нижний Новгород",
    "Самара",
    "Ростов-на-Дону",
    "Киев",
    "Харьков",
    "Одесса",
    "Львов",
};

constexpr std::array<std::string_view, 10> kCompanies = {
    "ООО Ромашка",
    "АО Северсталь",
    "ИП Петров",
    "ООО Вектор",
    "Яндекс",
    "ООО СтройИнвест",
    "ПАО Сбербанк",
    "ТОВ Нова Пошта",
    "ООО Альфа-Трейд",
    "АО Технопарк",
};

constexpr std::array<std::string_view, 7> kMailDomains = {
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "ukr.net",
    "inbox.ru",
    "rambler.ru",
};

// Two romanisations per Cyrillic letter: passport (ICAO 9303) and popular.
struct Romanisation {
    char32_t letter;
    std::string_view passport;
    std::string_view popular;
};

constexpr std::array<Romanisation, 37> kRomanisations = {{
    {U'а', "a", "a"},   {U'б', "b", "b"},   {U'в', "v", "v"},      {U'г', "g", "g"},
    {U'д', "d", "d"},   {U'е', "e", "e"},   {U'ё', "e", "yo"},     {U'ж', "zh", "zh"},
    {U'з', "z", "z"},   {U'и', "i", "i"},   {U'й', "i", "y"},      {U'к', "k", "k"},
    {U'л', "l", "l"},   {U'м', "m", "m"},   {U'н', "n", "n"},      {U'о', "o", "o"},
    {U'п', "p", "p"},   {U'р', "r", "r"},   {U'с', "s", "s"},      {U'т', "t", "t"},
    {U'у', "u", "u"},   {U'ф', "f", "f"},   {U'х', "kh", "h"},     {U'ц', "ts", "ts"},
    {U'ч', "ch", "ch"}, {U'ш', "sh", "sh"}, {U'щ', "shch", "sch"}, {U'ъ', "ie", ""},
    {U'ы', "y", "y"},   {U'ь', "", ""},     {U'э', "e", "e"},      {U'ю', "iu", "yu"},
    {U'я', "ia", "ya"}, {U'і', "i", "i"},   {U'ї', "i", "yi"},     {U'є', "ie", "ye"},
    {U'ґ', "g", "g"},
}};

std::u32string Decode(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(c);
            i += 1;
        } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
            out.push_back(((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
            i += 2;
        } else {
            out.push_back(U'?');
            i += 1;
        }
    }
    return out;
}

std::string Encode(std::u32string_view s) {
    std::string out;
    for (char32_t c : s) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

char32_t LowerCyrillic(char32_t c) {
    if (c >= U'А' && c <= U'Я') {
        return c + 0x20;
    }
    if (c >= U'Ѐ' && c <= U'Џ') {
        return c + 0x50;
    }
    return c;
}

std::string Romanise(std::string_view cyrillic, bool passport) {
    const std::u32string text = Decode(cyrillic);
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t lower = LowerCyrillic(text[i]);
        const bool upper = lower != text[i];
        // Popular style writes a final "-ий" as "-y" (Dmitry, Yury).
        if (!passport && lower == U'и' && i + 2 == text.size() &&
            LowerCyrillic(text[i + 1]) == U'й') {
            out += upper ? "Y" : "y";
            break;
        }
        std::string piece;
        bool found = false;
        for (const Romanisation& r : kRomanisations) {
            if (r.letter == lower) {
                piece = std::string(passport ? r.passport : r.popular);
                found = true;
                break;
            }
        }
        if (!found) {
            piece = Encode(std::u32string(1, text[i]));
        }
        if (upper && !piece.empty()) {
            piece[0] = static_cast<char>(piece[0] - 'a' + 'A');
        }
        out += piece;
    }
    return out;
}

std::string FemaleSurname(std::string_view male) {
    const std::u32string s = Decode(male);
    const auto ends = [&](std::u32string_view suffix) {
        return s.size() > suffix.size() &&
               s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(U"ов") || ends(U"ев") || ends(U"ёв") || ends(U"ин") || ends(U"ын")) {
        return Encode(s + U"а");
    }
    if (ends(U"кий")) {
        return Encode(s.substr(0, s.size() - 2) + U"ая");
    }
    return std::string(male);
}

struct Person {
    bool female = false;
    std::string first;
    std::string patronymic;  // may be empty
    std::string last;
    std::string phone_country;  // "7" or "380"
    std::string phone_digits;   // national significant number
    std::string email;
    std::string city;
    int year = 0, month = 0, day = 0;  // year 0: birthday unknown
    std::string company;
};

class Generator {
public:
    explicit Generator(std::uint64_t seed) : rng_(seed) {}

    bool Chance(double p) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p; }

    std::size_t Pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

    std::string Digits(std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(static_cast<char>('0' + Pick(10)));
        }
        return out;
    }

    Person NewPerson() {
        Person p;
        p.female = Chance(0.5);
        const MaleName& father = kMaleNames[Pick(kMaleNames.size())];
        if (p.female) {
            p.first = std::string(kFemaleNames[Pick(kFemaleNames.size())]);
            p.patronymic = std::string(father.patronymic_female);
        } else {
            p.first = std::string(kMaleNames[Pick(kMaleNames.size())].name);
            p.patronymic = std::string(father.patronymic_male);
        }
        if (!Chance(0.6)) {
            p.patronymic.clear();
        }
        std::string surname;
        if (Chance(0.3)) {
            surname = kSurnames[Pick(kSurnames.size())];
        } else {
            surname = kSurnameStems[Pick(kSurnameStems.size())];
            surname += kSurnameSuffixes[Pick(kSurnameSuffixes.size())];
        }
        p.last = p.female ? FemaleSurname(surname) : surname;
        NewPhone(p);
        p.city = std::string(kCities[Pick(kCities.size())]);
        if (Chance(0.6)) {
            p.year = 1950 + static_cast<int>(Pick(55));
            p.month = 1 + static_cast<int>(Pick(12));
            p.day = 1 + static_cast<int>(Pick(28));
        }
        if (Chance(0.4)) {
            p.company = std::string(kCompanies[Pick(kCompanies.size())]);
        }
        if (Chance(0.85)) {
            NewEmail(p);
        }
        return p;
    }

    // A sibling in the same city: often the same home phone, sometimes the same company.
    Person RelativeOf(const Person& person) {
        Person r = NewPerson();
        // A sibling of the same sex: same surname and patronymic.
        r.last = person.last;
        r.female = person.female;
        r.patronymic = person.patronymic;
        do {
            r.first = person.female ? std::string(kFemaleNames[Pick(kFemaleNames.size())])
                                    : std::string(kMaleNames[Pick(kMaleNames.size())].name);
        } while (r.first == person.first);
        r.city = person.city;
        if (Chance(0.6)) {
            r.phone_country = person.phone_country;
            r.phone_digits = person.phone_digits;
        }
        if (Chance(0.3)) {
            r.company = person.company;
        }
        NewEmail(r);
        return r;
    }

    // first_entry: the person as first entered (mild noise only); otherwise a re-entry.
    MatchRecord Render(const Person& p, bool first_entry) {
        MatchRecord r;
        const bool latin = first_entry ? Chance(0.2) : Chance(0.4);
        const bool passport = Chance(0.5);
        const auto script = [&](const std::string& cyrillic) {
            return latin ? Romanise(cyrillic, passport) : cyrillic;
        };
        r.first_name = script(p.first);
        r.last_name = script(p.last);
        if (!p.patronymic.empty() && (first_entry || Chance(0.5))) {
            r.middle_name = script(p.patronymic);
        }
        // A contact always has a way to reach the person: a phone or an e-mail.
        bool has_phone = first_entry ? Chance(0.85) : Chance(0.7);
        bool has_email = !p.email.empty() && (first_entry ? Chance(0.7) : Chance(0.6));
        const bool has_birthday = p.year != 0 && (first_entry ? Chance(0.8) : Chance(0.6));
        if (!has_phone && !has_email) {
            has_phone = true;
        }
        if (!first_entry) {
            if (Chance(0.25)) {
                r.first_name = Typo(r.first_name);
            }
            if (Chance(0.25)) {
                r.last_name = Typo(r.last_name);
            }
            if (Chance(0.12)) {
                std::swap(r.first_name, r.last_name);
            }
            if (Chance(0.1)) {
                // The whole name typed into one field, "Иван Петров".
                r.first_name = r.first_name + " " + r.last_name;
                r.last_name.clear();
            }
        }
        if (has_phone) {
            r.phone = FormatPhone(p);
        }
        if (has_email) {
            r.email = p.email;
            if (!first_entry && Chance(0.3)) {
                for (char& c : r.email) {
                    if (c >= 'a' && c <= 'z' && Chance(0.3)) {
                        c = static_cast<char>(c - 'a' + 'A');
                    }
                }
            }
            if (!first_entry && Chance(0.1)) {
                r.email = " " + r.email + " ";
            }
        }
        if (has_birthday) {
            int month = p.month;
            int day = p.day;
            if (!first_entry && Chance(0.05) && day <= 12) {
                std::swap(month, day);
            }
            char buffer[16];
            if (Chance(0.5)) {
                std::snprintf(buffer, sizeof(buffer), "%02d.%02d.%04d", day, month, p.year);
            } else {
                std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", p.year, month, day);
            }
            r.birthday = buffer;
        }
        if (first_entry ? Chance(0.8) : Chance(0.6)) {
            r.city = Chance(0.8) ? p.city : Romanise(p.city, false);
        }
        if (!p.company.empty() && (first_entry || Chance(0.5))) {
            r.company = p.company;
        }
        return r;
    }

private:
    void NewPhone(Person& p) {
        if (Chance(0.8)) {
            p.phone_country = "7";
            static constexpr std::array<std::string_view, 8> kCodes = {
                "915", "916", "903", "905", "926", "977", "985", "999"};
            p.phone_digits = kCodes[Pick(kCodes.size())];
            p.phone_digits += Digits(7);
        } else {
            p.phone_country = "380";
            static constexpr std::array<std::string_view, 6> kCodes = {
                "50", "63", "66", "67", "93", "97"};
            p.phone_digits = kCodes[Pick(kCodes.size())];
            p.phone_digits += Digits(7);
        }
    }

    void NewEmail(Person& p) {
        std::string first = Romanise(p.first, false);
        std::string last = Romanise(p.last, false);
        for (char& c : first) {
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        for (char& c : last) {
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        const std::string_view domain = kMailDomains[Pick(kMailDomains.size())];
        switch (Pick(3)) {
            case 0:
                p.email = first + "." + last;
                break;
            case 1:
                p.email = first.substr(0, 1) + last;
                break;
            default:
                p.email = last + first.substr(0, 1);
        }
        p.email += Digits(3) + "@" + std::string(domain);
    }

    std::string FormatPhone(const Person& p) {
        const std::string& d = p.phone_digits;
        if (p.phone_country == "380") {
            switch (Pick(3)) {
                case 0:
                    return "+380 " + d.substr(0, 2) + " " + d.substr(2, 3) + " " + d.substr(5, 2) +
                           " " + d.substr(7);
                case 1:
                    return "+380" + d;
                default:
                    return "(+380) " + d.substr(0, 2) + "-" + d.substr(2, 3) + "-" +
                           d.substr(5, 2) + "-" + d.substr(7);
            }
        }
        const std::string a = d.substr(0, 3);
        const std::string b = d.substr(3, 3);
        const std::string c = d.substr(6, 2);
        const std::string e = d.substr(8, 2);
        switch (Pick(7)) {
            case 0:
                return "+7 (" + a + ") " + b + "-" + c + "-" + e;
            case 1:
                return "8 " + a + " " + b + " " + c + " " + e;
            case 2:
                return "8" + d;
            case 3:
                return "+7" + d;
            case 4:
                return "8(" + a + ")" + b + c + e;
            case 5:
                return a + "-" + b + "-" + c + "-" + e;
            default:
                return "+7 " + a + " " + b + " " + c + e;
        }
    }

    // One keyboard-style error: substitute, delete, insert or swap adjacent letters.
    std::string Typo(const std::string& word) {
        std::u32string s = Decode(word);
        if (s.size() < 4) {
            return word;
        }
        const bool cyrillic = s[1] >= 0x400;
        const std::u32string_view alphabet =
            cyrillic ? std::u32string_view(U"абвгдежзийклмнопрстуфхцчшщыэюя")
                     : U"abcdefghijklmnopqrstuvwxyz";
        const std::size_t at =
            1 + Pick(s.size() - 1);  // keep the first letter: it is rarely mistyped
        switch (Pick(4)) {
            case 0:
                s[at] = alphabet[Pick(alphabet.size())];
                break;
            case 1:
                s.erase(at, 1);
                break;
            case 2:
                s.insert(
                    s.begin() + static_cast<std::ptrdiff_t>(at), alphabet[Pick(alphabet.size())]
                );
                break;
            default:
                if (at + 1 < s.size()) {
                    std::swap(s[at], s[at + 1]);
                } else {
                    std::swap(s[at - 1], s[at]);
                }
        }
        return Encode(s);
    }

    std::mt19937_64 rng_;
};

}  // namespace

LabeledRecords GenerateContacts(const GeneratorOptions& options) {
    Generator gen(options.seed);
    LabeledRecords out;
    out.records.reserve(options.records + 8);
    out.entity.reserve(options.records + 8);
    std::uint64_t next_entity = 0;
    const auto add = [&](MatchRecord r, std::uint64_t entity) {
        // snprintf, not "c" + std::to_string: GCC 12 -O2 warns falsely (-Wstringop-overflow).
        char id[32];
        std::snprintf(id, sizeof(id), "c%zu", out.records.size());
        r.id = id;
        out.records.push_back(std::move(r));
        out.entity.push_back(entity);
    };
    while (out.records.size() < options.records) {
        const Person person = gen.NewPerson();
        const std::uint64_t entity = next_entity++;
        add(gen.Render(person, true), entity);
        if (gen.Chance(options.duplicate_rate)) {
            const int copies = 1 + (gen.Chance(0.25) ? 1 : 0) + (gen.Chance(0.08) ? 1 : 0);
            for (int i = 0; i < copies; ++i) {
                add(gen.Render(person, false), entity);
            }
        }
        if (gen.Chance(options.relative_rate)) {
            add(gen.Render(gen.RelativeOf(person), true), next_entity++);
        }
    }
    // Interleave so that duplicates are not neighbours in input order.
    std::mt19937_64 shuffle_rng(options.seed ^ 0x9E3779B97F4A7C15ULL);
    for (std::size_t i = out.records.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(shuffle_rng() % i);
        std::swap(out.records[i - 1], out.records[j]);
        std::swap(out.entity[i - 1], out.entity[j]);
    }
    return out;
}

}  // namespace voronka::quality
