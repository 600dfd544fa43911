"""Suite variants as Dagster partitions: one dynamic partition per variant, keyed by its
label with ';' between knobs (`kisqali|confounded~nonlinear=true;overlap=0.01`): a comma
would read as a list of keys in Dagster's partition selections."""

from dagster import DynamicPartitionsDefinition

from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario, parse_brand, parse_dgp
from e2i_synth.world.variants import parse_knobs

VARIANT_PARTITIONS = DynamicPartitionsDefinition(name="benchmark_variants")


def variant_key(scenario: Scenario) -> str:
    return scenario.label.replace(",", ";")


def variant_from_key(key: str) -> Scenario:
    head, _, knobs = key.partition("~")
    brand, sep, dgp = head.partition("|")
    if not sep:
        raise ConfigError(
            f"variant partition {key!r} is not 'brand|dgp~knob=value;...', "
            "e.g. 'kisqali|confounded~nonlinear=true;overlap=0.01'"
        )
    items = [k for k in knobs.split(";") if k]
    return Scenario(parse_brand(brand), parse_dgp(dgp), parse_knobs(items))
