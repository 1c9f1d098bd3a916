"""Asset shards from the plant file: every asset in exactly one shard, the same one everywhere."""

import zlib

import polars as pl
import pytest
from pydantic import ValidationError

from foresight.plant import DEFAULT_PLANT, load_plant
from foresight.shards import ShardSettings

IDS = [f"M-{i:04d}" for i in range(1, 1001)]
REGISTER = pl.DataFrame(
    {
        "asset_id": ["P-001", "P-002", "C-001", "M-001"],
        "site": ["north", "south", "east", "north"],
        "asset_type": ["pump", "pump", "compressor", "motor"],
    }
)


def test_default_is_one_shard_holding_every_asset():
    shards = ShardSettings()
    assert shards.names == ["fleet"] and not shards.sharded
    assert shards.members("fleet", IDS) == IDS
    assert load_plant(DEFAULT_PLANT).shards == shards


def test_hash_shards_cut_the_fleet_into_disjoint_groups_of_similar_size():
    shards = ShardSettings(count=4)
    groups = [shards.members(name, IDS) for name in shards.names]
    assert shards.names == ["shard_1", "shard_2", "shard_3", "shard_4"]
    assert sorted(a for g in groups for a in g) == sorted(IDS)
    assert all(200 <= len(g) <= 300 for g in groups), [len(g) for g in groups]


def test_hash_membership_is_crc32_of_the_id_so_it_never_moves_between_releases():
    shards = ShardSettings(count=3)
    index = zlib.crc32(b"P-013") % 3  # 0x... of the UTF-8 bytes: fixed by the CRC-32 standard
    assert shards.members(shards.names[index], ["P-013"]) == ["P-013"]


def test_site_groups_take_their_sites_and_the_first_takes_the_rest():
    shards = ShardSettings(by="site", groups={"north": ("north",), "south": ("south",)})
    ids = [*REGISTER["asset_id"], "X-999"]  # X-999 is in no register
    assert shards.members("north", ids, REGISTER) == ["C-001", "M-001", "P-001", "X-999"]
    assert shards.members("south", ids, REGISTER) == ["P-002"]
    assert shards.register_of("south", REGISTER)["asset_id"].to_list() == ["P-002"]


def test_rows_without_an_asset_id_go_to_the_first_shard_only():
    shards = ShardSettings(count=2)
    first, second = (shards.selector(name) for name in shards.names)
    ids = ["M-0001", "M-0002", None]
    assert None in first(ids) and None not in second(ids)
    assert sorted(x for x in first(ids) + second(ids) if x) == ["M-0001", "M-0002"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"by": "site"}, "give `by` and `groups` together"),
        ({"count": 2, "by": "site", "groups": {"a": ["north"]}}, "either `count` or `by`"),
        ({"by": "site", "groups": {"North-1": ["north"]}}, "lower case letters"),
        ({"count": 0}, "greater than or equal to 1"),
    ],
)
def test_inconsistent_shard_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        ShardSettings(**settings)


def test_plant_file_shards_key_is_read(tmp_path):
    text = DEFAULT_PLANT.read_text() + "shards:\n  count: 3\n"
    path = tmp_path / "plant.yaml"
    path.write_text(text)
    assert load_plant(path).shards.names == ["shard_1", "shard_2", "shard_3"]
