"""Cells and ion channels from XML elements: morphology, biophysics, gates.

Called by `parse.py` for each `<cell>` and `<ionChannel*>`; tags arrive without their namespace
through `local`, and every error names the element it came from through `Elements.fail`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import NoReturn, TypeVar

from geppetto_dev.interpreters.neuroml.document import (
    BiophysicalProperties,
    Cell,
    ChannelDensity,
    Component,
    Gate,
    IntracellularProperties,
    IonChannel,
    MembraneProperties,
    Morphology,
    Point3D,
    Segment,
    SegmentGroup,
    Species,
    ValueAcross,
)

__all__ = ["Elements", "read_biophysics", "read_cell", "read_ion_channel", "read_morphology"]

N = TypeVar("N", int, float)

# Generic components deeper than this are refused (no real NeuroML element nests so deep).
MAX_COMPONENT_DEPTH = 32


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


class Elements:
    """Reading helpers bound to one file: its namespace and how to report an element's line."""

    __slots__ = ("fail", "ns")

    def __init__(self, ns: str, fail: Callable[[ET.Element, str], NoReturn]) -> None:
        self.ns = ns  # "{http://www.neuroml.org/schema/neuroml2}" or ""
        self.fail = fail

    def int_attr(self, el: ET.Element, name: str, default: int | None = None) -> int:
        return self._number_attr(el, name, default, int, "an integer")

    def float_attr(self, el: ET.Element, name: str, default: float | None = None) -> float:
        return self._number_attr(el, name, default, float, "a number")

    def _number_attr(
        self, el: ET.Element, name: str, default: N | None, convert: Callable[[str], N], what: str
    ) -> N:
        text = el.get(name)
        if text is None:
            if default is None:
                self.fail(el, f"<{local(el.tag)}> has no {name}")
            return default
        try:
            return convert(text)
        except ValueError:
            self.fail(el, f"<{local(el.tag)}> {name}={text!r} is not {what}")

    def required(self, el: ET.Element, name: str) -> str:
        text = el.get(name)
        if text is None:
            self.fail(el, f"<{local(el.tag)}> has no {name}")
        return text

    def component(self, el: ET.Element, depth: int = 0) -> Component:
        """Any element as a generic Component (its tag, id, attributes and children)."""
        if depth > MAX_COMPONENT_DEPTH:
            self.fail(el, f"nested deeper than {MAX_COMPONENT_DEPTH} components")
        attrs = dict(el.attrib)
        type_ = local(el.tag)
        if type_ == "Component" and "type" in attrs:  # LEMS <Component type=...>
            type_ = attrs["type"]
        children = [self.component(c, depth + 1) for c in el]
        return Component(type_, attrs.pop("id", None), attrs, children)

    def point(self, el: ET.Element) -> Point3D:
        try:
            return Point3D(
                float(el.attrib["x"]),
                float(el.attrib["y"]),
                float(el.attrib["z"]),
                float(el.attrib["diameter"]),
            )
        except KeyError as missing:
            self.fail(el, f"<{local(el.tag)}> has no {missing.args[0]}")
        except ValueError:
            self.fail(el, f"<{local(el.tag)}> has a coordinate that is not a number")


def read_morphology(el: ET.Element, e: Elements) -> Morphology:
    """A morphology; a 10k-segment cell is the hot path, so it is read first without checks
    and, only if that fails, again with them to name the faulty element and its line."""
    try:
        return _fast_morphology(el, e)
    except (KeyError, ValueError, TypeError, AttributeError):
        return _checked_morphology(el, e)


def _fast_morphology(el: ET.Element, e: Elements) -> Morphology:
    ns = e.ns
    t_segment, t_group = ns + "segment", ns + "segmentGroup"
    t_parent, t_proximal, t_distal = ns + "parent", ns + "proximal", ns + "distal"
    morph = Morphology(el.get("id", "morphology"))
    segments = morph.segments
    append = segments.append
    for child in el:
        tag = child.tag
        if tag == t_segment:
            distal = proximal = None
            parent: int | None = None
            fraction = 1.0
            for part in child:
                ptag = part.tag
                if ptag == t_distal:
                    a = part.attrib
                    distal = Point3D(
                        float(a["x"]), float(a["y"]), float(a["z"]), float(a["diameter"])
                    )
                elif ptag == t_proximal:
                    a = part.attrib
                    proximal = Point3D(
                        float(a["x"]), float(a["y"]), float(a["z"]), float(a["diameter"])
                    )
                elif ptag == t_parent:
                    a = part.attrib
                    parent = int(a["segment"])
                    if "fractionAlong" in a:
                        fraction = float(a["fractionAlong"])
            if distal is None:
                raise ValueError("no distal")
            a = child.attrib
            append(
                Segment(
                    int(a["id"]),
                    a.get("name"),
                    distal,
                    proximal,
                    parent,
                    fraction,
                    a.get("neuroLexId"),
                )
            )
        elif tag == t_group:
            morph.segment_groups.append(_segment_group(child, e))
    return morph


def _checked_morphology(el: ET.Element, e: Elements) -> Morphology:
    ns = e.ns
    t_segment, t_group = ns + "segment", ns + "segmentGroup"
    t_parent, t_proximal, t_distal = ns + "parent", ns + "proximal", ns + "distal"
    morph = Morphology(el.get("id", "morphology"))
    for child in el:
        if child.tag == t_segment:
            distal = proximal = None
            parent: int | None = None
            fraction = 1.0
            for part in child:
                if part.tag == t_distal:
                    distal = e.point(part)
                elif part.tag == t_proximal:
                    proximal = e.point(part)
                elif part.tag == t_parent:
                    parent = e.int_attr(part, "segment")
                    fraction = e.float_attr(part, "fractionAlong", 1.0)
            if distal is None:
                e.fail(child, f"segment {child.get('id')} has no <distal> point")
            segment_id = e.int_attr(child, "id")
            morph.segments.append(
                Segment(
                    segment_id,
                    child.get("name"),
                    distal,
                    proximal,
                    parent,
                    fraction,
                    child.get("neuroLexId"),
                )
            )
        elif child.tag == t_group:
            morph.segment_groups.append(_segment_group(child, e))
    return morph


def _segment_group(el: ET.Element, e: Elements) -> SegmentGroup:
    group = SegmentGroup(e.required(el, "id"), neuro_lex_id=el.get("neuroLexId"))
    t_member = e.ns + "member"
    members = group.members
    for child in el:
        if child.tag == t_member:  # thousands in a big cell's groups: no per-member lookups
            segment = child.get("segment")
            members.append(
                int(segment)
                if segment is not None and segment.isdigit()
                else e.int_attr(child, "segment")
            )
            continue
        tag = local(child.tag)
        if tag == "include":
            group.includes.append(e.required(child, "segmentGroup"))
        elif tag in ("path", "subTree"):
            ends: dict[str, int | None] = {"from": None, "to": None}
            for end in child:
                if local(end.tag) in ends:
                    ends[local(end.tag)] = e.int_attr(end, "segment")
            target = group.paths if tag == "path" else group.sub_trees
            target.append((ends["from"], ends["to"]))
        elif tag == "property":
            group.properties[e.required(child, "tag")] = child.get("value", "")
        elif tag not in ("notes", "annotation"):
            group.extra.append(e.component(child))
    return group


def _across(el: ET.Element, e: Elements) -> ValueAcross:
    return ValueAcross(e.required(el, "value"), el.get("segmentGroup", "all"))


def _channel_density(el: ET.Element, e: Elements) -> ChannelDensity:
    attrs = dict(el.attrib)
    segment = el.get("segment")
    return ChannelDensity(
        id=e.required(el, "id"),
        type=local(el.tag),
        ion_channel=e.required(el, "ionChannel"),
        ion=attrs.get("ion"),
        cond_density=attrs.get("condDensity"),
        erev=attrs.get("erev"),
        segment_group=attrs.get("segmentGroup", "all"),
        segment=None if segment is None else e.int_attr(el, "segment"),
        attributes=attrs,
        children=[e.component(c) for c in el],
    )


def read_biophysics(el: ET.Element, e: Elements) -> BiophysicalProperties:
    bio = BiophysicalProperties(el.get("id", local(el.tag)))  # Java: the type when no id
    for part in el:
        tag = local(part.tag)
        if tag.startswith("membraneProperties"):
            bio.membrane = _membrane(part, e)
        elif tag.startswith("intracellularProperties"):
            bio.intracellular = _intracellular(part, e)
    return bio


def _membrane(el: ET.Element, e: Elements) -> MembraneProperties:
    mem = MembraneProperties()
    for child in el:
        tag = local(child.tag)
        if tag.startswith("channelDensity"):
            mem.channel_densities.append(_channel_density(child, e))
        elif tag == "spikeThresh":
            mem.spike_thresh.append(_across(child, e))
        elif tag == "specificCapacitance":
            mem.specific_capacitance.append(_across(child, e))
        elif tag == "initMembPotential":
            mem.init_memb_potential.append(_across(child, e))
        elif tag not in ("notes", "annotation"):
            mem.extra.append(e.component(child))
    return mem


def _intracellular(el: ET.Element, e: Elements) -> IntracellularProperties:
    intra = IntracellularProperties()
    for child in el:
        tag = local(child.tag)
        if tag == "resistivity":
            intra.resistivity.append(_across(child, e))
        elif tag == "species":
            intra.species.append(
                Species(
                    id=e.required(child, "id"),
                    ion=child.get("ion"),
                    concentration_model=e.required(child, "concentrationModel"),
                    initial_concentration=e.required(child, "initialConcentration"),
                    initial_ext_concentration=e.required(child, "initialExtConcentration"),
                    segment_group=child.get("segmentGroup", "all"),
                )
            )
    return intra


def read_cell(el: ET.Element, e: Elements) -> Cell:
    cell = Cell(
        e.required(el, "id"),
        local(el.tag),
        morphology_ref=el.get("morphology"),
        biophysics_ref=el.get("biophysicalProperties"),
    )
    for child in el:
        tag = local(child.tag)
        if tag == "morphology":
            cell.morphology = read_morphology(child, e)
        elif tag.startswith("biophysicalProperties"):
            cell.biophysics = read_biophysics(child, e)
        elif tag == "notes":
            cell.notes = (child.text or "").strip() or None
    return cell


_GATE_PARTS = ("forwardRate", "reverseRate", "steadyState", "timeCourse", "q10Settings")


def _gate(el: ET.Element, e: Elements) -> Gate:
    tag = local(el.tag)
    gate = Gate(
        e.required(el, "id"),
        el.get("type", tag) if tag == "gate" else tag,  # <gate type="gateHHrates"> (old form)
        e.int_attr(el, "instances", 1),
    )
    for child in el:
        part = local(child.tag)
        if part in _GATE_PARTS:
            attrs = dict(child.attrib)
            rate = Component(attrs.get("type", part), attrs.pop("id", None), attrs)
            rate.children = [e.component(c) for c in child]
            name = {"forwardRate": "forward_rate", "reverseRate": "reverse_rate"}.get(part)
            name = name or {"steadyState": "steady_state", "timeCourse": "time_course"}.get(part)
            setattr(gate, name or "q10_settings", rate)
        elif part != "notes":
            gate.extra.append(e.component(child))
    return gate


def read_ion_channel(el: ET.Element, e: Elements) -> IonChannel:
    attrs = dict(el.attrib)
    channel = IonChannel(
        id=e.required(el, "id"),
        type=local(el.tag),
        conductance=attrs.get("conductance"),
        species=attrs.get("species"),
        attributes=attrs,
    )
    for child in el:
        tag = local(child.tag)
        if tag.startswith("gate"):
            channel.gates.append(_gate(child, e))
        elif tag == "notes":
            channel.notes = (child.text or "").strip() or None
    return channel
