"""Rules on a project's scope (改造内容), each naming the clause of the work plan it implements.

1. 三供一业 (五, second paragraph): in a compound renovated in recent years (改扩翻, 三供一业),
   content already renovated must not be renovated again (不得重复改造). The compound's survey keeps
   what was done as text (`renovated_content`); an item is refused when that text names it.
2. The quantity is entered once (工程量, in the catalog item's unit); the Ministry's physical outputs
   (管网公里, 电梯部数, 停车位, 充电桩, 养老、托育设施) are derived from it where the item measures that
   output, and are zero elsewhere, so a line's outputs cannot disagree with its quantity.
3. 水、电、路、气 (五, third paragraph): a centrally subsidised project must attend to water, power,
   roads and gas and renovate them wherever possible (能改即改). Where a compound has the deficit and
   the project leaves the item out, staff get a warning they must acknowledge with a reason.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import FourItem

# Words in a compound's 已改造内容 that show a catalog item was already done. 三供一业 hands over
# water, power, heating (gas) and property management; the catalog names come first.
ALREADY_DONE_WORDS: dict[str, tuple[str, ...]] = {
    "water_supply_drainage": ("供水", "供排水", "给排水", "排水"),
    "sewage_network": ("污水",),
    "power_network": ("供电", "电力", "配电"),
    "cables_underground": ("入地",),
    "heating_network": ("供热", "供暖", "暖气"),
    "gas_network": ("燃气", "供气", "天然气"),
    "telecom_network": ("通讯", "通信"),
    "professional_property_management": ("物业",),
    "property_management_room": ("物业用房",),
    "external_wall_insulation": ("外墙保温", "节能"),
    "building_energy_saving": ("节能",),
    "roof_waterproofing": ("屋面防水",),
    "roads_paving": ("道路", "硬化"),
    "road_widening_resurfacing": ("道路", "路面"),
    "lift_retrofit": ("电梯",),
}

# Which compound deficit (communities.Compound field) calls for which of the four items (三(二), 五).
FOUR_ITEM_DEFICITS: dict[str, tuple[str, ...]] = {
    FourItem.WATER: ("water_drainage_aged",),
    FourItem.POWER: ("power_aged",),
    FourItem.ROAD: ("roads_damaged",),
    FourItem.GAS: ("no_natural_gas", "gas_supply_needs_work"),  # gas only: telecom is not 气 (三(二)2)
}


def already_renovated_words(*, compound, scope_item) -> list[str]:
    """The words of the compound's 已改造内容 that show `scope_item` was already done; empty if none."""
    if not compound.recently_renovated or not compound.renovated_content:
        return []
    words = (scope_item.name, *ALREADY_DONE_WORDS.get(scope_item.code, ()))
    return [word for word in words if word and word in compound.renovated_content]


def repeat_renovation_refusal(*, compound, scope_item) -> str | None:
    """The refusal message when adding `scope_item` would renovate again what 三供一业 already did."""
    words = already_renovated_words(compound=compound, scope_item=scope_item)
    if not words:
        return None
    return (
        f"{compound.name}近年已实施“三供一业”等改造，已改造内容（{'、'.join(words)}）不得重复改造"
        f"（工作方案五）：不能添加“{scope_item.name}”。"
    )


@dataclass(frozen=True)
class FourItemGap:
    compound_id: int
    compound_name: str
    item: str
    deficit_labels: tuple[str, ...]
    acknowledged_reason: str | None

    @property
    def item_label(self) -> str:
        return FourItem(self.item).label

    @property
    def message(self) -> str:
        return (
            f"中央补助项目须注重水、电、路、气4项，能改即改（工作方案五）：{self.compound_name}"
            f"存在“{'、'.join(self.deficit_labels)}”，但本项目未包含“{self.item_label}”类改造内容。"
        )


def four_item_gaps(*, project, compounds, lines, acknowledgements) -> list[FourItemGap]:
    """Every (compound, item) where a centrally subsidised project leaves out a needed 水电路气 item.

    `lines` are the project's scope lines with their scope items, `acknowledgements` its recorded
    reasons; both are passed in so pages can call this without further queries.
    """
    if not project.centrally_subsidised:
        return []
    covered = {(line.compound_id, line.scope_item.is_water_power_road_gas) for line in lines}
    reasons = {(ack.compound_id, ack.item): ack.reason for ack in acknowledgements}
    gaps = []
    for compound in compounds:
        for item, fields in FOUR_ITEM_DEFICITS.items():
            deficits = tuple(compound._meta.get_field(f).verbose_name for f in fields if getattr(compound, f))
            if deficits and (compound.id, item) not in covered:
                gaps.append(
                    FourItemGap(
                        compound.id, compound.name, str(item), deficits, reasons.get((compound.id, item))
                    )
                )
    return gaps


# The physical outputs the Ministry's monthly statistics count, and the catalog items that measure
# exactly that output: for these the quantity *is* the output (管网 in km; the others in units).
OUTPUT_FIELDS = (
    "pipes_km",
    "lifts",
    "parking_spaces",
    "charging_piles",
    "elderly_care_facilities",
    "child_care_facilities",
)
OUTPUT_FROM_ITEM: dict[str, str] = {
    "water_supply_drainage": "pipes_km",
    "heating_network": "pipes_km",
    "power_network": "pipes_km",
    "gas_network": "pipes_km",
    "telecom_network": "pipes_km",
    "sewage_network": "pipes_km",
    "cables_underground": "pipes_km",
    "lift_retrofit": "lifts",
    "parking_spaces": "parking_spaces",
    "ev_charging_piles": "charging_piles",
    "elderly_care": "elderly_care_facilities",
    "child_care": "child_care_facilities",
}
# A pipe quantity in these units converts to kilometres by this factor.
KM_PER_UNIT = {"km": Decimal("1"), "公里": Decimal("1"), "千米": Decimal("1"), "m": Decimal("0.001"),
               "米": Decimal("0.001")}


def output_field_of(scope_item) -> str | None:
    """The output field `scope_item`'s quantity measures, or None."""
    return OUTPUT_FROM_ITEM.get(scope_item.code)


def outputs_from_quantity(*, scope_item, quantity: Decimal, unit: str) -> tuple[dict, str | None]:
    """The line's outputs derived from its quantity, and a refusal when the quantity cannot be one
    (a pipe length in a unit that is not a length, a count that is not a whole number)."""
    outputs = {name: (Decimal("0") if name == "pipes_km" else 0) for name in OUTPUT_FIELDS}
    target = output_field_of(scope_item)
    if target is None:
        return outputs, None
    label = scope_item.name
    if target == "pipes_km":
        factor = KM_PER_UNIT.get(unit)
        if factor is None:
            return outputs, f"“{label}”的工程量是管网长度，单位须为 km 或 m（现为“{unit}”）。"
        outputs[target] = (quantity * factor).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        return outputs, None
    if quantity != quantity.to_integral_value():
        return outputs, f"“{label}”按{unit or scope_item.unit}计数，工程量须为整数（现为 {quantity}）。"
    outputs[target] = int(quantity)
    return outputs, None
