#include "connectors/fhir/ndjson_reader.hpp"

#include <simdjson.h>

#include <cstring>

namespace hearth::connectors::fhir {

namespace ondemand = simdjson::ondemand;

std::string_view reasonCode(LineProblem problem) {
  switch (problem) {
    case LineProblem::kNone:
      return "";
    case LineProblem::kInvalidJson:
      return "fhir.invalid_json";
    case LineProblem::kNotAnObject:
      return "fhir.not_an_object";
    case LineProblem::kNoResourceType:
      return "fhir.no_resource_type";
    case LineProblem::kNoId:
      return "fhir.no_id";
    case LineProblem::kTooLong:
      return "fhir.line_too_long";
  }
  return "fhir.invalid_json";
}

struct ResourceParser::State {
  ondemand::parser parser;
  simdjson::dom::parser validator;
  std::vector<char> padded;  // the line, followed by the padding simdjson reads ahead into
  ondemand::document document;
  // Copies of the fields read: the document's views do not outlive the next parse.
  std::string resource_type, id, last_updated;
};

ResourceParser::ResourceParser() : state_(std::make_unique<State>()) {}
ResourceParser::~ResourceParser() = default;

bool ResourceParser::load(std::string_view line) {
  State& state = *state_;
  const size_t capacity = line.size() + simdjson::SIMDJSON_PADDING;
  if (state.padded.size() < capacity) state.padded.resize(capacity + capacity / 2);
  std::memcpy(state.padded.data(), line.data(), line.size());
  std::memset(state.padded.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  if (state.parser.capacity() < line.size() &&
      state.parser.allocate(line.size() + line.size() / 2) != simdjson::SUCCESS) {
    message_ = "line too large for the JSON parser";
    return false;
  }
  auto document = state.parser.iterate(state.padded.data(), line.size(), state.padded.size());
  if (document.error() != simdjson::SUCCESS) {
    message_ = std::string("not JSON: ") + simdjson::error_message(document.error());
    return false;
  }
  state.document = std::move(document.value_unsafe());
  return true;
}

namespace {

// A string value as text; false when the value is not a string.
bool readString(ondemand::value value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  out.assign(text);
  return true;
}

}  // namespace

LineProblem ResourceParser::parse(std::string_view line) {
  head_ = {};
  message_.clear();
  if (!load(line)) return LineProblem::kInvalidJson;
  State& state = *state_;
  state.resource_type.clear();
  state.id.clear();
  state.last_updated.clear();

  ondemand::object object;
  if (auto error = state.document.get_object().get(object); error != simdjson::SUCCESS) {
    // On-demand looks no further than the first token; the rare line that is no object gets a
    // full parse to tell "some other JSON" from "not JSON".
    if (error == simdjson::INCORRECT_TYPE) {
      simdjson::dom::element element;
      error = state.validator.parse(state.padded.data(), line.size(), false).get(element);
      if (error == simdjson::SUCCESS) {
        message_ = "the line is JSON but not an object";
        return LineProblem::kNotAnObject;
      }
    }
    message_ = std::string("not JSON: ") + simdjson::error_message(error);
    return LineProblem::kInvalidJson;
  }
  bool type_is_string = true, id_is_string = true;
  for (auto field : object) {
    // The key as it stands in the line: compared without unescaping it into a buffer first (the
    // three keys looked for contain no escapes, and an escaped spelling of them is no match).
    ondemand::raw_json_string key;
    if (auto error = field.key().get(key); error != simdjson::SUCCESS) {
      message_ = std::string("not JSON: ") + simdjson::error_message(error);
      return LineProblem::kInvalidJson;
    }
    ondemand::value value;
    if (auto error = field.value().get(value); error != simdjson::SUCCESS) {
      message_ = std::string("not JSON: ") + simdjson::error_message(error);
      return LineProblem::kInvalidJson;
    }
    if (key == "resourceType") {
      type_is_string = readString(value, state.resource_type);
    } else if (key == "id") {
      id_is_string = readString(value, state.id);
    } else if (key == "meta") {
      ondemand::object meta;
      if (value.get_object().get(meta) == simdjson::SUCCESS) {
        for (auto meta_field : meta) {
          ondemand::raw_json_string meta_key;
          if (meta_field.key().get(meta_key) != simdjson::SUCCESS) break;
          ondemand::value meta_value;
          if (meta_field.value().get(meta_value) != simdjson::SUCCESS) break;
          if (meta_key == "lastUpdated") readString(meta_value, state.last_updated);
        }
      }
    }
  }
  // The loop ends quietly on a broken document; the iterator's own state says whether it did.
  if (state.document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    message_ = "not JSON: the object is cut short or followed by more text";
    return LineProblem::kInvalidJson;
  }
  if (state.resource_type.empty() || !type_is_string) {
    message_ = "the object has no resourceType string";
    return LineProblem::kNoResourceType;
  }
  if (state.id.empty() || !id_is_string) {
    message_ = "the " + state.resource_type + " has no id";
    return LineProblem::kNoId;
  }
  head_ = {state.resource_type, state.id, state.last_updated};
  return LineProblem::kNone;
}

std::vector<std::string> ResourceParser::deletedReferences(std::string_view line) {
  message_.clear();
  std::vector<std::string> references;
  if (!load(line)) return references;
  State& state = *state_;
  ondemand::object object;
  if (state.document.get_object().get(object) != simdjson::SUCCESS) {
    message_ = "a deleted file's line must be a Bundle object";
    return references;
  }
  ondemand::array entries;
  if (object.find_field_unordered("entry").get_array().get(entries) != simdjson::SUCCESS) {
    message_ = "the Bundle has no entry list";
    return references;
  }
  for (auto entry : entries) {
    std::string_view url;
    ondemand::object entry_object;
    if (entry.get_object().get(entry_object) != simdjson::SUCCESS ||
        entry_object.find_field_unordered("request").find_field_unordered("url").get_string().get(
            url) != simdjson::SUCCESS) {
      message_ = "a Bundle entry has no request.url";
      return {};
    }
    url = url.substr(0, url.find('?'));
    // "Patient/123", or an absolute URL ending in it.
    const size_t slash = url.rfind('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == url.size()) {
      message_ = "a Bundle entry's request.url is not Type/id";
      return {};
    }
    const size_t type_start = url.rfind('/', slash - 1);
    references.emplace_back(url.substr(type_start == std::string_view::npos ? 0 : type_start + 1));
  }
  if (references.empty()) message_ = "the Bundle has no entries";
  return references;
}

bool ResourceParser::searchPage(std::string_view bundle, SearchPage& page) {
  message_.clear();
  page = {};
  if (!load(bundle)) return false;
  State& state = *state_;
  ondemand::object object;
  if (state.document.get_object().get(object) != simdjson::SUCCESS) {
    message_ = "the search answer is not a JSON object";
    return false;
  }
  std::string_view type;
  for (auto field : object) {
    std::string_view key;
    ondemand::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      message_ = "the search answer is not JSON";
      return false;
    }
    if (key == "resourceType") {
      if (value.get_string().get(type) != simdjson::SUCCESS) break;
    } else if (key == "link") {
      ondemand::array links;
      if (value.get_array().get(links) != simdjson::SUCCESS) continue;
      for (auto link : links) {
        std::string_view relation, url;
        ondemand::object link_object;
        if (link.get_object().get(link_object) != simdjson::SUCCESS) continue;
        for (auto link_field : link_object) {
          std::string_view link_key;
          if (link_field.unescaped_key().get(link_key) != simdjson::SUCCESS) break;
          std::string_view text;
          if (link_field.value().get_string().get(text) != simdjson::SUCCESS) continue;
          if (link_key == "relation") relation = text;
          if (link_key == "url") url = text;
        }
        if (relation == "next") page.next_url.assign(url);
      }
    } else if (key == "entry") {
      ondemand::array entries;
      if (value.get_array().get(entries) != simdjson::SUCCESS) continue;
      for (auto entry : entries) {
        ondemand::object entry_object;
        if (entry.get_object().get(entry_object) != simdjson::SUCCESS) continue;
        std::string_view resource, mode;
        for (auto entry_field : entry_object) {
          std::string_view entry_key;
          if (entry_field.unescaped_key().get(entry_key) != simdjson::SUCCESS) break;
          ondemand::value entry_value;
          if (entry_field.value().get(entry_value) != simdjson::SUCCESS) break;
          if (entry_key == "resource") {
            ondemand::object resource_object;
            if (entry_value.get_object().get(resource_object) != simdjson::SUCCESS ||
                resource_object.raw_json().get(resource) != simdjson::SUCCESS) {
              resource = {};
            }
          } else if (entry_key == "search") {
            ondemand::object search;
            if (entry_value.get_object().get(search) == simdjson::SUCCESS &&
                search.find_field_unordered("mode").get_string().get(mode) != simdjson::SUCCESS) {
              mode = {};
            }
          }
        }
        while (!resource.empty() && (resource.back() == ' ' || resource.back() == '\n' ||
                                     resource.back() == '\r' || resource.back() == '\t')) {
          resource.remove_suffix(1);
        }
        if (!resource.empty() && mode != "outcome") page.resources.push_back(resource);
      }
    }
  }
  if (state.document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    message_ = "the search answer is not JSON (cut short or followed by more text)";
    return false;
  }
  if (type != "Bundle") {
    message_ = "the search answer is not a Bundle";
    return false;
  }
  return true;
}

}  // namespace hearth::connectors::fhir
